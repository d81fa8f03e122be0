"""Ops screens: sources without secrets, shipments with their timeline, dead-letter replay."""

import pytest
from rest_framework.test import APIClient

from logistics.adapters.kuaidi100 import Kuaidi100Source
from logistics.models import DeadLetter, Shipment
from tests.factories import UserFactory
from tests.factories.logistics import KUAIDI100_SALT
from tests.logistics.test_adapters_common import load_fixture


@pytest.fixture
def ops(roles):
    return UserFactory(username="ops01", roles=["ops"], is_staff=True, is_superuser=True)


def push(body=None):
    return APIClient().post("/api/logistics/webhooks/kuaidi100/",
                            data=body or load_fixture("kuaidi100", "push_signed.txt"),
                            content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db
def test_sources_show_only_that_a_key_is_configured(client, ops):
    client.force_login(ops)
    page = client.get("/admin/logistics/trackingsource/")
    assert page.status_code == 200
    assert KUAIDI100_SALT.encode() not in page.content
    assert b"kuaidi100" in page.content and b"icon-yes" in page.content
    row = client.get("/admin/logistics/trackingsource/").context["cl"].result_list
    assert len(row) == 8


@pytest.mark.django_db
def test_shipment_page_has_the_timeline_and_masked_phones(client, ops):
    push()
    Shipment.objects.update(recipient_phone="13800000001")
    shipment = Shipment.objects.get()
    client.force_login(ops)
    listing = client.get("/admin/logistics/shipment/", {"q": "13800000001"})
    assert listing.status_code == 200 and b"YT7428136501234" in listing.content
    assert b"138****0001" in listing.content  # found by phone, shown masked
    assert b"13800000001" not in client.get("/admin/logistics/shipment/").content
    page = client.get(f"/admin/logistics/shipment/{shipment.pk}/change/")
    assert page.status_code == 200
    assert "快件已由".encode() in page.content  # the events inline
    assert b"13800000001" not in page.content
    assert client.get("/admin/logistics/rawpayload/").status_code == 200


@pytest.mark.django_db
def test_dead_letter_replay_from_admin(client, ops, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(Kuaidi100Source, "parse", lambda self, body, headers: 1 / 0)
        assert push().status_code == 500
    letter = DeadLetter.objects.get()
    client.force_login(ops)
    assert client.get("/admin/logistics/deadletter/").status_code == 200
    response = client.post("/admin/logistics/deadletter/", {
        "action": "replay_selected", "_selected_action": [letter.pk]}, follow=True)
    assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.status == "replayed"
    assert Shipment.objects.get().events.count() == 5
    response = client.post("/admin/logistics/deadletter/", {
        "action": "replay_selected", "_selected_action": [letter.pk]}, follow=True)
    assert any("replayed" in str(m) or "重放" in str(m) for m in response.context["messages"])
