"""Phones and addresses are masked in responses (except the customer's own number on their
profile) and in the log lines our code writes."""

import logging
import re

import pytest

pytestmark = pytest.mark.django_db
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_responses_carry_no_full_phone_number(world):
    urls = ["/api/customer/shipments/", "/api/customer/shipments/SF1409821733526/",
            "/api/customer/shipments/SF1409821733526/trajectory/",
            "/api/customer/shipments/YT7000000000001/", "/api/customer/tickets/",
            f"/api/customer/tickets/{world.open_a.pk}/",
            f"/api/customer/tickets/{world.closed_a.pk}/comments/",
            f"/api/customer/chat/sessions/{world.conv_a.pk}/"]
    for url in urls:
        response = world.api_a.get(url)
        assert response.status_code == 200, url
        assert not FULL_PHONE.search(response.content.decode()), url
    own = world.api_a.get("/api/customer/me/").json()
    assert own["phone"] == world.a.phone  # their own need: which number they are signed in as
    bound = world.api_a.get("/api/customer/shipments/YT7000000000001/").json()
    assert bound["recipient_phone"] == "136****2222"


def test_logs_mask_phones_and_addresses(world, caplog, outbox):
    from rest_framework.test import APIClient

    caplog.set_level(logging.INFO)
    client = APIClient()
    client.post("/api/customer/auth/sms/code/", {"phone": "13612345678"}, format="json")
    code = re.search(r"\d{6}", outbox[-1]["body"]).group()
    client.post("/api/customer/auth/sms/login/", {"phone": "13612345678", "code": "000001"
                                                   if code != "000001" else "000002"},
                format="json")
    client.post("/api/customer/auth/sms/login/", {"phone": "13612345678", "code": code},
                format="json")
    world.api_a.post("/api/customer/delivery-changes/", {
        "waybill": "SF1409821733526", "kind": "address",
        "address": "浙江省杭州市西湖区文三路 100 号 5 幢 301"}, format="json")
    world.api_b.post("/api/customer/shipments/", {"number": "SF1409821733526",
                                                  "phone_last4": "1234"}, format="json")
    text = caplog.text
    assert "136****5678" in text and "138****8000" in text
    assert "浙江省杭州市西湖区****" in text
    assert not FULL_PHONE.search(text)
    assert "文三路" not in text
    assert code not in text
