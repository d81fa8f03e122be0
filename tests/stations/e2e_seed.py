"""The small world of the /station/ browser test, in a database of its own (run with
`manage.py shell -c "from tests.stations.e2e_seed import seed; seed()"`). Prints one JSON line."""

import json

PASSWORD = "station-e2e-pw"


def seed() -> None:
    from datetime import time, timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from logistics import actions as logistics
    from logistics.adapters.base import TrackingEvent, TrackingUpdate
    from routing.models import Queue
    from stations.actions import check_create_station_task, do_set_membership
    from stations.models import Station
    from tickets import actions
    from tickets.models import Category, SlaPolicy
    from tickets.roles import Role, system_user

    User = get_user_model()
    for role in Role.values:
        Group.objects.get_or_create(name=role)

    def person(username, name, role=None):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": name})
        user.set_password(PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    agent = person("agent01", "王芳", Role.AGENT)
    supervisor = person("supervisor01", "黄强", Role.SUPERVISOR)
    staff = person("station01", "陈立")
    courier = person("courier01", "王强")
    for code, name, priority in (("lost_parcel", "丢件", "P1"),
                                 ("change_delivery", "改地址/改约", "P2")):
        Category.objects.get_or_create(code=code, defaults={"name": name,
                                                            "default_priority": priority})
    SlaPolicy.objects.get_or_create(priority="P2", category=None, defaults={
        "name": "P2", "response_minutes": 30, "resolve_minutes": 240})
    Queue.objects.get_or_create(code="address_checks", defaults={"name": "地址核实"})
    SlaPolicy.objects.get_or_create(priority="P1", category=None, defaults={
        "name": "P1", "response_minutes": 15, "resolve_minutes": 120})
    queue, _ = Queue.objects.get_or_create(code="general", defaults={"name": "综合",
                                                                     "is_default": True})
    queue.members.add(agent)
    station, _ = Station.objects.get_or_create(code="HZ-XH-01", defaults={
        "name": "杭州西湖文三路网点", "carrier": "sf", "province": "浙江省", "city": "杭州市",
        "district": "西湖区", "opens_at": time(0), "closes_at": time(0)})
    do_set_membership(staff, station=station, role="staff")
    do_set_membership(courier, station=station, role="courier")
    shipment, _ = logistics.check_register_shipment(
        acting_user=system_user(), tracking_number="SF1409821733526", carrier="sf",
        recipient_phone="13800138000", origin="上海", destination="浙江省杭州市西湖区")
    now = timezone.now()
    logistics.do_store_update(TrackingUpdate(tracking_number="SF1409821733526", carrier="sf",
                                             events=[TrackingEvent(
                                                 time=now - timedelta(hours=5),
                                                 status="out_for_delivery",
                                                 location="杭州西湖文三路网点",
                                                 description="派件中")]), source="test")
    ticket = actions.check_create_ticket(
        user=supervisor, title="显示派送中但没收到", category_code="lost_parcel",
        customer_phone="13800138000", waybills=["SF1409821733526"])
    actions.check_assign_ticket(user=supervisor, ticket_id=ticket.pk, assignee_id=agent.pk)
    task = check_create_station_task(user=agent, ticket_id=ticket.pk, kind="verify_delivery",
                                     note="客户说没收到，请核实放在哪里")
    from stations.actions import check_create_address_check

    logistics.check_register_shipment(
        acting_user=system_user(), tracking_number="SF1409821733999", carrier="sf",
        recipient_phone="13800138001", origin="上海", destination="浙江省杭州市西湖区")
    check = check_create_address_check(user=courier, tracking_number="SF1409821733999",
                                       reason="address_unclear", note="文三路没有 88 号")
    print(json.dumps({"ticket": ticket.pk, "task": task.pk, "agent": agent.pk,
                      "token": check.token, "check_task": check.task_id}))
