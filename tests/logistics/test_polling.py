"""Polling and push subscriptions against a fake source on 127.0.0.1 (never the internet)."""

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache

from logistics import outbound
from logistics.actions import do_poll_shipment, do_subscribe_shipment
from logistics.models import RawPayload, Shipment, TrackingSource
from tests.factories.logistics import ShipmentFactory
from tests.logistics.test_adapters_common import load_fixture


class FakeSource:
    """http.server in a thread; `routes[path]` is a list of (status, body, delay) answers,
    the last one repeating."""

    def __init__(self):
        self.requests: list[dict] = []
        self.routes: dict[str, list] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body})
                answers = fake.routes.get(self.path.split("?")[0], [(404, b"{}", 0)])
                status, payload, delay = answers.pop(0) if len(answers) > 1 else answers[0]
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake(settings):
    server = FakeSource()
    settings.LOGISTICS_URL_OVERRIDES = {code: server.url for code in
                                        ("kuaidi100", "17track", "kdniao", "sf", "aftership")}
    settings.LOGISTICS_HTTP_TIMEOUT = 0.5
    cache.clear()
    yield server
    server.close()
    cache.clear()


@pytest.fixture
def kuaidi100(settings):
    settings.KUAIDI100_CUSTOMER, settings.KUAIDI100_KEY = "C1", "K1"


@pytest.mark.django_db
def test_poll_kuaidi100_signs_the_query_and_stores_the_answer(fake, kuaidi100):
    fake.routes["/poll/query.do"] = [(200, load_fixture("kuaidi100", "query_returned.json"), 0)]
    shipment = ShipmentFactory(tracking_number="SF1409821733526", carrier="sf",
                               recipient_phone="13800000001")
    outcome = do_poll_shipment(shipment.pk)
    assert (outcome.status, outcome.source, outcome.events_stored) == ("polled", "kuaidi100", 3)
    (request,) = fake.requests
    form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
    param = json.loads(form["param"])
    assert (param["com"], param["num"], form["customer"]) == ("shunfeng", "SF1409821733526",
                                                               "C1")
    assert form["sign"] == hashlib.md5((form["param"] + "K1C1").encode()).hexdigest().upper()
    shipment.refresh_from_db()
    assert shipment.status == "returned" and shipment.last_polled_at is not None
    assert RawPayload.objects.get().channel == "poll"


@pytest.mark.django_db
def test_kuaidi100_requery_lock_keeps_one_query_per_30_minutes(fake, kuaidi100):
    fake.routes["/poll/query.do"] = [(200, load_fixture("kuaidi100", "query_returned.json"), 0)]
    shipment = ShipmentFactory(tracking_number="SF1409821733526")
    assert do_poll_shipment(shipment.pk).status == "polled"
    assert do_poll_shipment(shipment.pk).status == "skipped_requery"
    assert len(fake.requests) == 1
    outbound.release_requery("kuaidi100", "SF1409821733526")  # 30 minutes later
    assert do_poll_shipment(shipment.pk).status == "polled"
    assert len(fake.requests) == 2


@pytest.mark.django_db
def test_17track_budget_of_three_requests_per_second(fake, settings, monkeypatch):
    settings.TRACK17_TOKEN = "T1"
    fake.routes["/track/v2.2/gettrackinfo"] = [
        (200, load_fixture("17track", "gettrackinfo_returning.json"), 0)]
    monkeypatch.setattr(outbound.time, "time", lambda: 1_800_000_000.2)  # one second
    shipments = [ShipmentFactory(tracking_number=f"SF14098217335{n:02d}") for n in range(5)]
    outcomes = [do_poll_shipment(s.pk).status for s in shipments]
    assert outcomes == ["polled"] * 3 + ["rate_limited"] * 2
    assert len(fake.requests) == 3
    assert fake.requests[0]["headers"]["17token"] == "T1"
    monkeypatch.setattr(outbound.time, "time", lambda: 1_800_000_001.2)  # the next second
    assert do_poll_shipment(shipments[3].pk).status == "polled"


@pytest.mark.django_db
def test_transient_5xx_is_retried_and_persistent_failure_raises(fake, kuaidi100):
    body = load_fixture("kuaidi100", "query_returned.json")
    fake.routes["/poll/query.do"] = [(503, b"busy", 0), (200, body, 0)]
    shipment = ShipmentFactory(tracking_number="SF1409821733526")
    assert do_poll_shipment(shipment.pk).status == "polled"
    assert len(fake.requests) == 2
    other = ShipmentFactory(tracking_number="SF1409821733527")
    fake.routes["/poll/query.do"] = [(500, b"down", 0)]
    with pytest.raises(outbound.SourceHttpError):
        do_poll_shipment(other.pk)
    assert RawPayload.objects.count() == 1  # nothing archived for a failed request


@pytest.mark.django_db
def test_timeout_is_enforced(fake, kuaidi100):
    fake.routes["/poll/query.do"] = [(200, b"{}", 1.5)]
    shipment = ShipmentFactory(tracking_number="SF1409821733526")
    started = time.monotonic()
    with pytest.raises(outbound.SourceHttpError):
        do_poll_shipment(shipment.pk)
    assert time.monotonic() - started < 4


@pytest.mark.django_db
def test_source_error_answer_becomes_a_dead_letter(fake, kuaidi100):
    fake.routes["/poll/query.do"] = [(200, load_fixture("kuaidi100", "error.json"), 0)]
    outcome = do_poll_shipment(ShipmentFactory(tracking_number="SF1409821733526").pk)
    assert outcome.status == "failed" and "returnCode=500" in outcome.error
    assert RawPayload.objects.get().dead_letter.code == "source_error"


@pytest.mark.django_db
def test_no_credentials_means_no_request(fake):
    outcome = do_poll_shipment(ShipmentFactory().pk)
    assert outcome.status == "no_source" and fake.requests == []


@pytest.mark.django_db
def test_beat_polls_only_live_unsubscribed_due_shipments(fake, kuaidi100,
                                                        django_capture_on_commit_callbacks):
    from logistics import tasks

    fake.routes["/poll/query.do"] = [(200, load_fixture("kuaidi100", "query_returned.json"), 0)]
    ShipmentFactory(tracking_number="SF1409821733526", status="in_transit")
    ShipmentFactory(tracking_number="SF1409821733528", status="")
    ShipmentFactory(tracking_number="SF1409821733529", status="delivered")
    ShipmentFactory(tracking_number="SF1409821733530", status="in_transit",
                    subscription="subscribed")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert tasks.poll_due_shipments.delay().get() == 2
    assert len(queued) == 2 and len(fake.requests) == 2
    assert tasks.poll_due_shipments.delay().get() == 0  # polled a moment ago
    TrackingSource.objects.filter(code="kuaidi100").update(polling_enabled=False)
    Shipment.objects.update(last_polled_at=None)
    assert tasks.poll_due_shipments.delay().get() == 0


@pytest.mark.django_db
def test_subscription_with_credentials(fake, settings):
    settings.KUAIDI100_KEY = "K1"
    settings.LOGISTICS_CALLBACK_BASE = "https://desk.example.com"
    fake.routes["/poll"] = [(200, b'{"result":true,"returnCode":"200","message":"ok"}', 0)]
    shipment = ShipmentFactory(tracking_number="SF1409821733526", carrier="sf")
    assert do_subscribe_shipment(shipment.pk) == "subscribed"
    (request,) = fake.requests
    form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
    param = json.loads(form["param"])
    assert form["schema"] == "json" and param["company"] == "shunfeng"
    assert param["parameters"]["callbackurl"] == (
        "https://desk.example.com/api/logistics/webhooks/kuaidi100/")
    assert param["parameters"]["salt"] == settings.KUAIDI100_SALT
    shipment.refresh_from_db()
    assert shipment.subscription == "subscribed"


@pytest.mark.django_db
def test_subscription_refused_and_without_credentials(fake, settings):
    shipment = ShipmentFactory(tracking_number="SF1409821733526")
    assert do_subscribe_shipment(shipment.pk) == "not_subscribed"
    assert fake.requests == []
    settings.TRACK17_TOKEN = "T1"
    fake.routes["/track/v2.2/register"] = [
        (200, b'{"code":0,"data":{"accepted":[],"rejected":[{"number":"x","error":'
              b'{"code":-18010012,"message":"bad"}}]}}', 0)]
    assert do_subscribe_shipment(shipment.pk) == "failed"
    assert fake.requests[0]["headers"]["17token"] == "T1"
