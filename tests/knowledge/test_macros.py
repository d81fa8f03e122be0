"""Macros: variables filled from ticket, customer and shipment (phone masked), actions through
tickets' actions, unknown variables refused at save."""

import pytest
from django.core.exceptions import ValidationError

from knowledge.models import Macro
from tests.factories import make_ticket
from tickets import actions
from tickets.models import TicketComment

STUCK = [(80, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
         (30, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】")]


@pytest.fixture
def working_ticket(setup, parcel):
    parcel("SF1409821733526", "13800138000", STUCK)
    ticket = make_ticket(setup, category="urge_delivery", title="催件",
                         customer_name="钱女士")
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def macro(ops):
    from knowledge.actions import check_save_macro

    return check_save_macro(
        user=ops, name="催件回复", body="{customer_name}您好，运单 {waybill} 最新：{last_node}。"
        "{eta}。工单 {ticket_no}，联系电话 {phone}。", add_tags=["已催促"], set_priority="P1")


@pytest.mark.django_db
def test_render_fills_variables_and_masks_the_phone(working_ticket, macro, setup, api):
    response = api(setup.agent).get(f"/api/tickets/{working_ticket.pk}/macros/{macro.pk}/")
    assert response.status_code == 200
    text = response.json()["text"]
    assert text.startswith("钱女士您好，运单 SF1409821733526 最新：")
    assert "杭州转运中心" in text and working_ticket.number in text
    assert "138****8000" in text and "13800138000" not in text
    listed = api(setup.agent).get(f"/api/tickets/{working_ticket.pk}/macros/").json()
    assert [m["id"] for m in listed] == [macro.pk]


@pytest.mark.django_db
def test_apply_posts_the_reply_and_runs_the_actions(working_ticket, macro, setup, api):
    response = api(setup.agent).post(f"/api/tickets/{working_ticket.pk}/macros/{macro.pk}/",
                                     {}, format="json")
    assert response.status_code == 201, response.content
    working_ticket.refresh_from_db()
    assert "已催促" in working_ticket.tags and working_ticket.priority == "P1"
    comment = TicketComment.objects.get(pk=response.json()["comment_id"])
    assert comment.visibility == "public" and "138****8000" in comment.body
    macro.refresh_from_db()
    assert macro.uses == 1


@pytest.mark.django_db
def test_a_macro_may_submit_for_review(working_ticket, ops, setup, api):
    from knowledge.actions import check_save_macro

    done = check_save_macro(user=ops, name="已处理", body="工单 {ticket_no} 已处理完毕。",
                            submit_review=True)
    response = api(setup.agent).post(f"/api/tickets/{working_ticket.pk}/macros/{done.pk}/",
                                     {"text": "已为您加急处理，工单即将关闭。"}, format="json")
    assert response.status_code == 201
    working_ticket.refresh_from_db()
    assert working_ticket.status == "review"


@pytest.mark.django_db
def test_an_agent_outside_the_ticket_cannot_apply(working_ticket, macro, setup, api):
    response = api(setup.outsider).post(f"/api/tickets/{working_ticket.pk}/macros/{macro.pk}/",
                                        {}, format="json")
    assert response.status_code == 404
    assert not TicketComment.objects.filter(ticket=working_ticket).exists()


@pytest.mark.django_db
def test_unknown_variable_is_refused_at_save(ops, api, setup):
    response = api(ops).post("/api/kb/macros/", {"name": "坏模板",
                                                 "body": "您好 {customer_name}，{tracking_no}"},
                             format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_variable"
    assert response.json()["variables"] == ["tracking_no"]
    with pytest.raises(ValidationError):
        Macro(code="bad", name="bad", body="{nope}").full_clean()
    ok = api(ops).post("/api/kb/macros/", {"name": "好模板", "body": "您好 {customer_name}"},
                       format="json")
    assert ok.status_code == 201
    assert api(setup.agent).post("/api/kb/macros/", {"name": "x", "body": "y"},
                                 format="json").status_code == 403
