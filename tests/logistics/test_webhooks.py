"""POST /api/logistics/webhooks/<source>/ through the whole stack, per source."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from logistics.adapters.kuaidi100 import Kuaidi100Source
from logistics.models import DeadLetter, RawPayload, Shipment, TrackingEvent
from tests.factories.logistics import (
    SF_TOKEN,
    aftership_sign,
    kuaidi100_push,
    local,
    track17_sign,
)
from tests.logistics.test_adapters_common import load_fixture

FORM = "application/x-www-form-urlencoded"
KUAIDI100_ACK = '{"result":true,"returnCode":"200","message":"成功"}'.encode()


def post(source, body, content_type=FORM, query="", **headers):
    return APIClient().post(f"/api/logistics/webhooks/{source}/{query}", data=body,
                            content_type=content_type, **headers)


def nothing_stored():
    return not (RawPayload.objects.exists() or Shipment.objects.exists()
                or TrackingEvent.objects.exists())


@pytest.mark.django_db
def test_kuaidi100_good_signature_stores_and_acks_exactly():
    response = post("kuaidi100", load_fixture("kuaidi100", "push_signed.txt"))
    assert response.status_code == 200
    assert response.content == KUAIDI100_ACK
    shipment = Shipment.objects.get(tracking_number="YT7428136501234")
    assert (shipment.carrier, shipment.status, shipment.source) == ("yto", "delivered",
                                                                     "kuaidi100")
    assert shipment.events.count() == 5
    assert shipment.last_event_at == local(2024, 5, 20, 18, 32, 10)
    payload = RawPayload.objects.get()
    assert (payload.status, payload.kind, payload.events_stored) == ("processed", "push", 5)
    assert payload.channel == "webhook" and len(payload.sha256) == 64
    assert bytes(payload.body) == load_fixture("kuaidi100", "push_signed.txt")


@pytest.mark.django_db
def test_kuaidi100_bad_signature_is_401_and_nothing_is_stored(settings):
    settings.KUAIDI100_SALT = "another-salt"
    response = post("kuaidi100", load_fixture("kuaidi100", "push_signed.txt"))
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert nothing_stored()


@pytest.mark.django_db
def test_kdniao_good_and_bad_signature():
    body = load_fixture("kdniao", "push_101.txt")
    response = post("kdniao", body)
    assert response.status_code == 200
    ack = response.json()
    assert ack["Success"] is True and ack["EBusinessID"] == "1237100"
    assert set(Shipment.objects.values_list("tracking_number", flat=True)) == {
        "YT7428136501234", "75312345678901"}
    tampered = body.replace(b"DataSign=", b"DataSign=x")
    response = post("kdniao", tampered)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert RawPayload.objects.count() == 1


@pytest.mark.django_db
def test_17track_good_and_bad_signature():
    body = load_fixture("17track", "push_updated.json")
    response = post("17track", body, "application/json", HTTP_SIGN=track17_sign(body))
    assert response.status_code == 200
    assert Shipment.objects.get(tracking_number="EA123456785CN").status == "delivered"
    response = post("17track", body, "application/json", HTTP_SIGN=track17_sign(body + b"x"))
    assert response.status_code == 401
    response = post("17track", body, "application/json")
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert RawPayload.objects.count() == 1


@pytest.mark.django_db
def test_aftership_good_and_bad_signature():
    body = load_fixture("aftership", "webhook_delivered.json")
    response = post("aftership", body, "application/json",
                    HTTP_AFTERSHIP_HMAC_SHA256=aftership_sign(body))
    assert response.status_code == 200
    shipment = Shipment.objects.get(tracking_number="SF1409821733526")
    assert shipment.carrier == "sf" and shipment.status == "delivered"
    response = post("aftership", body, "application/json",
                    HTTP_AFTERSHIP_HMAC_SHA256=aftership_sign(body, "wrong"))
    assert response.status_code == 401
    assert RawPayload.objects.count() == 1


@pytest.mark.django_db
def test_sf_is_protected_by_its_url_token():
    body = load_fixture("sf", "push_route.json")
    response = post("sf", body, "application/json", query=f"?token={SF_TOKEN}")
    assert response.status_code == 200
    assert response.content == '{"return_code":"0000","return_msg":"成功"}'.encode()
    assert Shipment.objects.get(tracking_number="SF1409821733526").status == "delivered"
    assert Shipment.objects.get(tracking_number="SF2000000000011").status == "exception"
    for query in ("", "?token=wrong"):
        response = post("sf", body, "application/json", query=query)
        assert response.status_code == 401
    assert RawPayload.objects.count() == 1


@pytest.mark.django_db
def test_sf_xml_push_gets_the_xml_ack():
    response = post("sf", load_fixture("sf", "push_route_form.txt"), query=f"?token={SF_TOKEN}")
    assert response.status_code == 200
    assert b"<Head>OK</Head>" in response.content


@pytest.mark.django_db
def test_no_key_configured_is_refused_unless_debug(settings):
    settings.KUAIDI100_SALT = ""
    body = load_fixture("kuaidi100", "push_signed.txt")
    response = post("kuaidi100", body)
    assert (response.status_code, response.json()["code"]) == (401, "source_not_configured")
    assert nothing_stored()
    settings.DEBUG = True
    assert post("kuaidi100", body).status_code == 200
    settings.SF_WEBHOOK_TOKEN = ""
    assert post("sf", load_fixture("sf", "push_route.json"), "application/json").status_code \
        == 200


@pytest.mark.django_db
def test_query_only_source_and_unknown_source():
    response = post("yto", load_fixture("yto", "waybill_trace.json"), "application/json")
    assert response.status_code == 401
    response = post("nosuch", b"{}", "application/json")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_source")
    assert APIClient().get("/api/logistics/webhooks/kuaidi100/").status_code == 405


@pytest.mark.django_db
def test_error_envelope_is_400_with_code_and_a_dead_letter():
    body = load_fixture("aftership", "error.json")
    response = post("aftership", body, "application/json",
                    HTTP_AFTERSHIP_HMAC_SHA256=aftership_sign(body))
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "source_error" and data["detail"]
    letter = DeadLetter.objects.get()
    assert (letter.code, letter.status, letter.source) == ("source_error", "pending",
                                                           "aftership")
    assert bytes(letter.payload.body) == body and letter.payload.status == "failed"
    assert not Shipment.objects.exists()


@pytest.mark.django_db
def test_malformed_signed_payload_is_400_and_kept():
    import hashlib
    from urllib.parse import urlencode

    param = '{"lastResult": "not an object"}'
    sign = hashlib.md5((param + "pd-test-salt").encode()).hexdigest().upper()
    body = urlencode({"param": param, "sign": sign}).encode()
    response = post("kuaidi100", body)
    assert (response.status_code, response.json()["code"]) == (400, "malformed_payload")
    assert DeadLetter.objects.get().payload.text == body.decode()


@pytest.mark.django_db
def test_crash_after_verification_loses_nothing_and_replay_recovers(monkeypatch):
    def crash(self, body, headers):
        raise RuntimeError("parser bug")

    body = load_fixture("kuaidi100", "push_signed.txt")
    with monkeypatch.context() as patch:
        patch.setattr(Kuaidi100Source, "parse", crash)
        response = post("kuaidi100", body)
    assert response.status_code == 500
    assert response.json()["code"] == "processing_failed"
    payload = RawPayload.objects.get()
    assert bytes(payload.body) == body and payload.status == "failed"
    letter = DeadLetter.objects.get()
    assert letter.code == "processing_failed" and "parser bug" in letter.error
    assert not TrackingEvent.objects.exists()

    from logistics import actions

    result = actions.check_replay_dead_letter(dead_letter_id=letter.pk)
    assert result.ok and result.events_stored == 5
    letter.refresh_from_db()
    payload.refresh_from_db()
    assert (letter.status, letter.attempts, payload.status) == ("replayed", 1, "processed")
    assert Shipment.objects.get().status == "delivered"
    with pytest.raises(actions.LogisticsError) as info:
        actions.check_replay_dead_letter(dead_letter_id=letter.pk)
    assert info.value.code == "not_replayable"


@pytest.mark.django_db
def test_replay_that_fails_again_stays_pending():
    from logistics import actions

    body = load_fixture("aftership", "error.json")
    post("aftership", body, "application/json", HTTP_AFTERSHIP_HMAC_SHA256=aftership_sign(body))
    letter = DeadLetter.objects.get()
    result = actions.check_replay_dead_letter(dead_letter_id=letter.pk)
    assert not result.ok and result.error_code == "source_error"
    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("pending", 1)
    assert DeadLetter.objects.count() == 1


@pytest.mark.django_db
def test_the_same_push_twice_stores_the_events_once():
    body = load_fixture("kuaidi100", "push_signed.txt")
    assert post("kuaidi100", body).status_code == 200
    assert post("kuaidi100", body).status_code == 200
    assert TrackingEvent.objects.count() == 5
    first, second = RawPayload.objects.order_by("id")
    assert (first.events_stored, second.events_stored) == (5, 0)


@pytest.mark.django_db
def test_late_out_of_order_events_merge_by_time():
    number = "YT7000000000001"
    day1 = local(2026, 11, 20, 9, 0)
    first = kuaidi100_push(number, [
        (day1, "【上海浦东新区公司】已揽收", "103", "上海市"),
        (day1 + timedelta(hours=30), "【杭州西湖区营业部】派件员正在派件", "5", "杭州市"),
    ])
    late = kuaidi100_push(number, [
        (day1 + timedelta(hours=12), "快件已到达【杭州转运中心】", "1001", "杭州转运中心"),
    ])
    assert post("kuaidi100", first).status_code == 200
    assert post("kuaidi100", late).status_code == 200
    shipment = Shipment.objects.get(tracking_number=number)
    # the late hub scan arrived last but is older: the parcel is still out for delivery
    assert shipment.status == "out_for_delivery"
    assert shipment.last_location == "杭州市"
    from logistics.selectors import trajectory

    assert [e.status for e in trajectory(shipment)] == [
        "picked_up", "arrived_at_hub", "out_for_delivery"]
    delivered = kuaidi100_push(number, [
        (day1 + timedelta(hours=33), "快件已签收", "301", "杭州市"),
        (day1, "【上海浦东新区公司】已揽收", "103", "上海市"),
    ])
    post("kuaidi100", delivered)
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 4
    assert RawPayload.objects.order_by("-id").first().numbers == [number]
