import pytest

from tests.factories import UserFactory, ticket_in
from tickets.choices import EventKind
from tickets.models import Notification


@pytest.fixture
def ops(setup):
    return UserFactory(username="ops01", roles=["ops"], is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_ticket_admin_lists_searches_and_shows_the_trail(client, ops, setup):
    ticket = ticket_in(setup, "review")
    client.force_login(ops)
    page = client.get("/admin/tickets/ticket/", {"q": "SF1409821733526"})
    assert page.status_code == 200 and ticket.number.encode() in page.content
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert b"138****8000" in page.content and b"13800138000" not in page.content
    assert client.get("/admin/tickets/ticket/add/").status_code == 403


@pytest.mark.django_db
def test_admin_action_goes_through_the_actions(client, ops, setup):
    ticket = ticket_in(setup, "review")
    closed = ticket_in(setup, "closed")
    client.force_login(ops)
    response = client.post("/admin/tickets/ticket/", {
        "action": "approve_selected", "_selected_action": [ticket.pk, closed.pk]}, follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    event = ticket.events.filter(kind=EventKind.TRANSITION).last()
    assert (event.actor, event.to_status) == (ops, "closed")
    messages = [str(m) for m in response.context["messages"]]
    assert any(closed.number in m for m in messages)  # the closed one is refused, not changed


@pytest.mark.django_db
def test_audit_trail_admin_is_read_only(client, ops, setup):
    event = ticket_in(setup, "received").events.first()
    client.force_login(ops)
    assert client.get("/admin/tickets/ticketevent/").status_code == 200
    response = client.post(f"/admin/tickets/ticketevent/{event.pk}/change/", {"note": "x"})
    assert response.status_code == 403
    assert client.post(f"/admin/tickets/ticketevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403


@pytest.mark.django_db
def test_outbox_admin_masks_recipients(client, ops):
    Notification.objects.create(channel="sms", recipient="13800138000", body="x")
    client.force_login(ops)
    page = client.get("/admin/tickets/notification/")
    assert b"138****8000" in page.content and b"13800138000" not in page.content


@pytest.mark.django_db
def test_admin_and_errors_speak_chinese(client, ops, setup):
    ticket = ticket_in(setup, "closed")
    client.force_login(ops)
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert "ParcelDesk 运营后台" in page and "已关闭" in page and "优先级" in page
    from tests.tickets.test_api import client_for

    response = client_for(setup.agent).post(f"/api/tickets/{ticket.pk}/transitions/start/", {},
                                            format="json")
    assert response.json()["detail"] == "工单当前状态为“已关闭”，不允许执行“开始处理”操作。"
