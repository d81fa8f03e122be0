"""The resolution clock pauses on the customer, a station task and customs, and resumes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.stations.conftest import client_for
from tickets.actions.clock import (
    check_customer_answered,
    check_wait_on_customer,
    do_sync_shipment_pauses,
)


def _kinds(ticket):
    return list(ticket.events.filter(kind__in=["sla_pause", "sla_resume"])
                .values_list("kind", "data__reason"))


@pytest.mark.django_db
def test_waiting_on_the_customer_pauses_and_the_answer_resumes(stations, lost_ticket):
    from tickets import actions

    sup = stations.setup.supervisor
    due = lost_ticket.resolve_due
    t0 = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=t0):
        check_wait_on_customer(user=sup, ticket_id=lost_ticket.pk, note="请提供收件地址照片")
    lost_ticket.refresh_from_db()
    assert lost_ticket.sla_paused_at == t0 and lost_ticket.sla_pause_reasons == ["customer"]
    # a paused clock does not breach, whatever the time
    from tickets.actions.sla import breached_ticket_ids

    assert lost_ticket.pk not in breached_ticket_ids("resolution", now=due + timedelta(days=1))
    # the customer's answer (a comment from the customer) resumes it, 3 hours later
    customer_user = actions.ensure_customer_user(lost_ticket.customer.phone).user
    with mock.patch("django.utils.timezone.now", return_value=t0 + timedelta(hours=3)):
        actions.check_add_comment(user=customer_user, ticket_id=lost_ticket.pk, body="照片已发")
    lost_ticket.refresh_from_db()
    assert lost_ticket.sla_paused_at is None
    assert lost_ticket.resolve_due == due + timedelta(hours=3)  # 24×7 policy: 3 hours on
    assert _kinds(lost_ticket) == [("sla_pause", "customer"), ("sla_resume", "customer")]


@pytest.mark.django_db
def test_station_task_holds_the_clock_until_answered(stations, lost_ticket):
    from stations.actions import check_complete_station_task

    task_id = client_for(stations.setup.supervisor).post(
        f"/api/tickets/{lost_ticket.pk}/station-tasks/", {"kind": "verify_delivery"},
        format="json").json()["id"]
    lost_ticket.refresh_from_db()
    assert lost_ticket.sla_pause_reasons == [f"station_task:{task_id}"]
    # a second reason keeps it paused when the first goes
    check_wait_on_customer(user=stations.setup.supervisor, ticket_id=lost_ticket.pk)
    check_complete_station_task(user=stations.staff, task_id=task_id, result="not_delivered")
    lost_ticket.refresh_from_db()
    assert lost_ticket.sla_paused_at is not None and lost_ticket.sla_pause_reasons == ["customer"]
    check_customer_answered(user=stations.setup.supervisor, ticket_id=lost_ticket.pk)
    lost_ticket.refresh_from_db()
    assert lost_ticket.sla_paused_at is None
    assert [k for k, _ in _kinds(lost_ticket)] == ["sla_pause", "sla_pause", "sla_resume",
                                                  "sla_resume"]


@pytest.mark.django_db
def test_customs_pauses_and_the_next_scan_resumes(stations, parcel):
    from logistics import actions as logistics
    from logistics.adapters.base import TrackingEvent, TrackingUpdate
    from tests.factories import make_ticket

    parcel("SF4000000000001", "13800138003", [
        (30, "in_transit", "香港", "离港"), (2, "customs", "上海浦东海关", "清关中")],
        goods=("international",))
    ticket = make_ticket(stations.setup, waybills=["SF4000000000001"])
    assert do_sync_shipment_pauses()["paused"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_pause_reasons == ["customs"]
    assert do_sync_shipment_pauses()["paused"] == 0  # once
    logistics.do_store_update(TrackingUpdate(
        tracking_number="SF4000000000001", carrier="sf",
        events=[TrackingEvent(time=timezone.now(), status="in_transit", location="上海",
                              description="清关完成，已放行")]), source="test")
    assert do_sync_shipment_pauses()["resumed"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert _kinds(ticket) == [("sla_pause", "customs"), ("sla_resume", "customs")]


@pytest.mark.django_db
def test_carrier_no_update_raises_urgency_once(stations, parcel):
    from logistics.models import Shipment
    from tests.factories import make_ticket

    parcel("SF5000000000001", "13800138004", [(10, "in_transit", "杭州", "运输中")])
    # what the kuaidi100 adapter stores for status 202 超时未更新: exception, stall reason stuck
    Shipment.objects.filter(tracking_number="SF5000000000001").update(
        stalled=True, stall_reason="stuck")
    ticket = make_ticket(stations.setup, waybills=["SF5000000000001"], category="fee_dispute")
    assert ticket.priority == "P2"
    assert do_sync_shipment_pauses()["escalated"] == 1
    assert do_sync_shipment_pauses()["escalated"] == 0
    ticket.refresh_from_db()
    assert ticket.priority == "P1" and ticket.escalated
    assert ticket.events.filter(kind="escalation", data__reason="carrier_no_update").count() == 1


@pytest.mark.django_db
def test_only_owner_or_supervisor_pauses(stations, lost_ticket):
    from config.errors import Forbidden

    with pytest.raises(Forbidden):
        check_wait_on_customer(user=stations.setup.agent, ticket_id=lost_ticket.pk)


@pytest.mark.django_db
def test_clock_api_wait_and_answer(stations, lost_ticket):
    from tickets import actions

    actions.check_assign_ticket(user=stations.setup.supervisor, ticket_id=lost_ticket.pk,
                                assignee_id=stations.setup.agent.pk)
    owner = client_for(stations.setup.agent)
    base = f"/api/tickets/{lost_ticket.pk}/clock/"
    assert owner.get(base).json()["paused"] is False
    waiting = owner.post(base + "wait-customer/", {"note": "请提供门牌号"}, format="json")
    assert waiting.status_code == 200 and waiting.json()["reasons"] == ["customer"]
    # another agent of the same queue may read but not stop the clock
    other = client_for(stations.setup.agent2)
    assert other.get(base).json()["paused"] is True
    assert other.post(base + "wait-customer/", {}, format="json").status_code == 403
    assert client_for(stations.setup.outsider).get(base).status_code == 404
    answered = owner.post(base + "customer-answered/", format="json")
    assert answered.status_code == 200 and answered.json()["paused"] is False
    pause = lost_ticket.events.get(kind="sla_pause")
    assert pause.note == "请提供门牌号" and pause.actor == stations.setup.agent


@pytest.mark.django_db
def test_kuaidi100_202_report_raises_urgency(stations, parcel):
    from logistics import actions as logistics
    from logistics.adapters.base import TrackingEvent, TrackingUpdate
    from tests.factories import make_ticket

    parcel("SF5000000000002", "13800138006", [(2, "in_transit", "杭州", "运输中")])
    ticket = make_ticket(stations.setup, waybills=["SF5000000000002"], category="fee_dispute")
    assert do_sync_shipment_pauses()["escalated"] == 0  # moving: nothing to do
    # what the kuaidi100 adapter makes of status 202 (超时未更新): exception, reason stuck
    logistics.do_store_update(TrackingUpdate(
        tracking_number="SF5000000000002", carrier="sf", events=[TrackingEvent(
            time=timezone.now(), status="exception", location="杭州", description="超时未更新",
            exception_reason="stuck", source_code="202")]), source="test")
    assert do_sync_shipment_pauses()["escalated"] == 1
    ticket.refresh_from_db()
    assert ticket.priority == "P1"
