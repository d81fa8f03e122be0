"""The staff shipment API through the whole stack."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from logistics.models import Shipment
from tests.factories import CustomerFactory, UserFactory
from tests.factories.logistics import kuaidi100_push, local


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(roles):
    return client_for(UserFactory(username="system", roles=["system"]))


BODY = {"tracking_number": "sf 1409 8217 3352 6", "sender_phone": "+86 139-0000-1111",
        "recipient_phone": "13800000001", "origin": "上海市", "destination": "杭州市",
        "goods": ["fresh", "fragile"]}


@pytest.mark.django_db
def test_register_detects_the_carrier_masks_phones_and_subscribes(
        api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post("/api/logistics/shipments/", BODY, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["tracking_number"] == "SF1409821733526"
    assert (data["carrier"], data["carrier_name"]) == ("sf", "顺丰速运")
    assert data["recipient_phone"] == "138****0001" and data["sender_phone"] == "139****1111"
    assert "13800000001" not in response.content.decode()
    assert "13900001111" not in response.content.decode()
    assert data["goods"] == ["fresh", "fragile"] and data["events"] == []
    assert len(callbacks) == 1
    shipment = Shipment.objects.get()
    # no credentials configured: recorded as not subscribed, and no network call was made
    assert (shipment.subscription, shipment.recipient_phone) == ("not_subscribed",
                                                                 "13800000001")


@pytest.mark.django_db
def test_register_a_number_known_from_pushes_is_200_and_updates(api):
    number = "YT7000000000002"
    APIClient().post("/api/logistics/webhooks/kuaidi100/",
                     data=kuaidi100_push(number, [(local(2026, 11, 20, 9), "已揽收", "103",
                                                   "上海市")]),
                     content_type="application/x-www-form-urlencoded")
    response = api.post("/api/logistics/shipments/", {"tracking_number": number,
                                                      "recipient_phone": "13800000002"},
                        format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "picked_up" and len(data["events"]) == 1
    assert data["recipient_phone"] == "138****0002"
    assert Shipment.objects.get().registered_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "code", "field"), [
    ({}, "invalid", "tracking_number"),
    ({"tracking_number": "SF1409821733526", "goods": ["gold"]}, "invalid", "goods"),
    ({"tracking_number": "SF1409*8217"}, "invalid_tracking_number", "tracking_number"),
    ({"tracking_number": "SF1409821733526", "carrier": "ups"}, "unknown_carrier", "carrier"),
    ({"tracking_number": "SF1409821733526", "recipient_phone": "12345"}, "invalid_phone",
     "recipient_phone"),
    ({"tracking_number": "431234567890123"}, "carrier_not_detected", "carrier"),
])
def test_validation_errors_have_codes(api, payload, code, field):
    response = api.post("/api/logistics/shipments/", payload, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == code and data["detail"]
    assert field in data.get("errors", {}) or data.get("field") == field
    if code == "carrier_not_detected":
        assert set(data["candidates"]) == {"sto", "yunda"}
    assert not Shipment.objects.exists()


@pytest.mark.django_db
def test_explicit_carrier_for_an_ambiguous_number(api):
    response = api.post("/api/logistics/shipments/", {"tracking_number": "431234567890123",
                                                      "carrier": "yunda"}, format="json")
    assert response.status_code == 201 and response.json()["carrier"] == "yunda"


@pytest.mark.django_db
def test_only_staff(roles):
    assert APIClient().post("/api/logistics/shipments/", BODY,
                            format="json").status_code == 401
    customer = CustomerFactory()
    client = client_for(customer.user)
    assert client.post("/api/logistics/shipments/", BODY, format="json").status_code == 403
    assert client.get("/api/logistics/shipments/SF1409821733526/").status_code == 403
    agent = client_for(UserFactory(username="agent01", roles=["agent"]))
    assert agent.post("/api/logistics/shipments/", BODY, format="json").status_code == 201


@pytest.mark.django_db
def test_detail_has_events_oldest_first_and_a_constant_query_count(api):
    number = "YT7000000000003"
    steps = [(local(2026, 11, 20, 9), "已揽收", "103", "上海市"),
             (local(2026, 11, 20, 21), "快件已到达【杭州转运中心】", "1001", "杭州转运中心")]
    APIClient().post("/api/logistics/webhooks/kuaidi100/", data=kuaidi100_push(number, steps),
                     content_type="application/x-www-form-urlencoded")
    api.get(f"/api/logistics/shipments/{number}/")  # warm the memoised lane table
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(f"/api/logistics/shipments/{number.lower()}/")
    assert response.status_code == 200
    data = response.json()
    assert [e["status"] for e in data["events"]] == ["picked_up", "arrived_at_hub"]
    assert data["events"][0]["time"] == "2026-11-20T09:00:00+08:00"
    assert data["last_event"]["location"] == "杭州转运中心"
    assert set(data["eta"]) == {"time", "confidence", "explanation"}
    assert data["stall"]["stalled"] in (True, False)
    assert len(ctx.captured_queries) <= 5  # token, roles, shipment, events
    missing = api.get("/api/logistics/shipments/SF0000000000000/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
