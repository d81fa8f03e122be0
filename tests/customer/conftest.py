"""Two customers, A and B, each with a token, parcels, tickets and a chat of their own."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PHONE_A, PHONE_B = "13800138000", "13900139000"
# A 1x1 PNG: accepted by content (tickets/files.py).
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _customer_settings(settings):
    """The fake WeChat client; throttles high enough not to interfere unless a test lowers
    them; counters and codes of earlier tests gone."""
    settings.CUSTOMER_WECHAT_CLIENT = "tickets.customer_api.wechat.FakeWeChatClient"
    settings.CUSTOMER_THROTTLE_RATES = {"customer_user": "10000/min", "customer_ip": "10000/min",
                                        "customer_bind": "10000/min",
                                        "customer_auth_ip": "10000/min"}
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


class World:
    pass


@pytest.fixture
def world(setup, parcel):
    """A: a parcel with A's phone, one added by waybill (someone else's phone), a closed
    ticket with a survey, an open ticket with a comment and a file, a conversation. B: own
    parcel and ticket. Both log in with a token."""
    from chatbot.models import Conversation
    from tests.factories import CategoryFactory, make_ticket, ticket_in
    from tickets import actions
    from tickets.actions.create import ensure_customer_user
    from tickets.models import CustomerShipment

    CategoryFactory(code="change_delivery", default_priority="P2")
    w = World()
    w.setup = setup
    w.a = ensure_customer_user(PHONE_A, name="客户甲")
    w.b = ensure_customer_user(PHONE_B, name="客户乙")
    w.api_a, w.api_b = client_for(w.a.user), client_for(w.b.user)
    w.parcel_a = parcel("SF1409821733526", PHONE_A,
                        [(30, "picked_up", "上海", "已揽收"),
                         (20, "in_transit", "上海转运中心", "快件已发往杭州 快递员电话13712345678"),
                         (2, "arrived_at_hub", "杭州转运中心", "到达杭州")])
    w.parcel_bound = parcel("YT7000000000001", "13611112222",
                            [(5, "in_transit", "广州", "运输中")], carrier="yto")
    CustomerShipment.objects.create(customer=w.a, number=w.parcel_bound.tracking_number)
    w.parcel_b = parcel("SF1409821733999", PHONE_B, [(3, "in_transit", "北京", "运输中")])
    w.closed_a = ticket_in(setup, "closed", customer_phone=PHONE_A,
                           waybills=[w.parcel_a.tracking_number])
    w.open_a = make_ticket(setup, customer_phone=PHONE_A, title="破损",
                           waybills=["SF1409821733526"])
    actions.check_add_comment(user=w.a.user, ticket_id=w.open_a.pk, body="外箱压坏了")
    from django.core.files.uploadedfile import SimpleUploadedFile

    actions.check_add_attachment(user=w.a.user, ticket_id=w.open_a.pk,
                                 upload=SimpleUploadedFile("box.png", PNG, "image/png"))
    w.ticket_b = make_ticket(setup, customer_phone=PHONE_B, title="乙的工单",
                             waybills=[w.parcel_b.tracking_number])
    w.conv_a = Conversation.objects.create(customer=w.a, state={})
    w.conv_b = Conversation.objects.create(customer=w.b, state={})
    return w
