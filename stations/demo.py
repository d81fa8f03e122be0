"""Demo stations for `seed_demo`: business calendars, stations with staff and couriers, open and
overdue tasks on the demo tickets, and a courier's address check waiting for the recipient.

Runs after the tickets, logistics and routing demos. Everything goes through the real actions;
idempotent (a second run finds what the first made).
"""

from datetime import time, timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from routing.models import Queue
from stations import actions
from stations.models import AddressCheck, Station, StationTask
from tickets.demo import PASSWORD
from tickets.models import BusinessCalendar, Ticket

CALENDARS = [  # code, name, always open, Chinese holidays, hours
    ("cn_workdays", "中国工作日 09:00–18:00（法定节假日休息，调休上班）", False, True,
     {str(d): [["09:00", "18:00"]] for d in range(5)}),
    ("24x7", "7×24 小时", True, False, {}),
]

STATIONS = [  # code, name, carrier, province, city, district, address, lat, lon, capacity
    ("HZ-XH-01", "杭州西湖文三路网点", "sf", "浙江省", "杭州市", "西湖区", "文三路 259 号",
     30.2806, 120.1302, 30),
    ("SZ-NS-01", "深圳南山科技园网点", "jd", "广东省", "深圳市", "南山区",
     "科技园南区深南大道 9966 号", 22.5405, 113.9344, 30),
    ("HZ-YH-01", "杭州余杭仓前网点", "sf", "浙江省", "杭州市", "余杭区", "仓前街道文一西路 1500 号",
     30.2923, 120.0035, 20),
    ("NJ-GL-01", "南京鼓楼湖南路网点", "zto", "江苏省", "南京市", "鼓楼区", "湖南路 1 号",
     32.0660, 118.7790, 20),
    ("CD-WH-01", "成都武侯高升桥网点", "sto", "四川省", "成都市", "武侯区", "高升桥东路 8 号",
     30.6420, 104.0430, 20),
    ("NB-YZ-01", "宁波鄞州南部商务区网点", "sf", "浙江省", "宁波市", "鄞州区", "天童南路 588 号",
     29.8160, 121.5530, 15),
]

PEOPLE = [  # username, name, station, role, phone
    ("station01", "网点-陈立", "HZ-XH-01", "staff", "13700000001"),
    ("station02", "网点-刘芳", "SZ-NS-01", "staff", "13700000002"),
    ("courier01", "快递员-王强", "HZ-XH-01", "courier", "13700000011"),
    ("courier02", "快递员-张伟", "SZ-NS-01", "courier", "13700000012"),
    ("station03", "网点-赵磊", "NJ-GL-01", "staff", "13700000003"),
]
TWENTY_FOUR_SEVEN = {"SZ-NS-01", "NJ-GL-01"}
MANAGERS = {"HZ-XH-01": "station01", "SZ-NS-01": "station02", "NJ-GL-01": "station03"}

# Sent `hours ago`, but never before the ticket existed. SZ-NS-01 and NJ-GL-01 work 24×7, so
# their tasks sent at the demo tickets' creation (5 and 3 hours ago) are overdue by now.
TASKS = [  # waybill of a demo ticket, station, kind, hours ago, note
    ("SF1409821733526", "HZ-XH-01", "verify_delivery", 0.5,
     "客户称未收到，请核实是否已派送、放在哪里"),
    ("SF1409821733526", "HZ-XH-01", "urge_dispatch", 6, "天气好转后请优先派送"),
    ("JDVA20261120001", "SZ-NS-01", "verify_delivery", 0.25, "生鲜件，客户着急，请核实派送情况"),
    ("JDVA20261120001", "SZ-NS-01", "pod_photo", 30, "请提供派件照片"),
    ("75312345678901", "NJ-GL-01", "verify_delivery", 30, "显示已签收但客户未收到"),
    ("4312345678901", "CD-WH-01", "verify_delivery", 1, "客户反映丢件，请核实"),
]
ADDRESS_CHECK = ("SF1409821733811", "address_unclear", "余杭区地址缺少门牌号，电话无人接听")


def _user(username, name):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username,
                                               defaults={"first_name": name})
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


@transaction.atomic
def seed_configuration() -> dict:
    for code, name, always, cn, hours in CALENDARS:
        BusinessCalendar.objects.get_or_create(code=code, defaults={
            "name": name, "always_open": always, "cn_holidays": cn, "hours": hours})
    Queue.objects.get_or_create(code="address_checks", defaults={
        "name": "地址核实（等待收件人答复）",
        "description": "快递员发起的地址核实，收件人答复前不分派坐席；超时未答复转默认队列。"})
    stations = {}
    for code, name, carrier, province, city, district, address, lat, lon, cap in STATIONS:
        stations[code], _ = Station.objects.get_or_create(code=code, defaults={
            "name": name, "carrier": carrier, "province": province, "city": city,
            "district": district, "address": address, "latitude": lat, "longitude": lon,
            "capacity": cap, "opens_at": time(8), "closes_at": time(20),
            "calendar": BusinessCalendar.objects.get(code="24x7")
            if code in TWENTY_FOUR_SEVEN else None})
    for username, name, station, role, phone in PEOPLE:
        actions.do_set_membership(_user(username, name), station=stations[station], role=role,
                                  phone=phone)
    for code, username in MANAGERS.items():
        Station.objects.filter(code=code, manager__isnull=True).update(
            manager=get_user_model().objects.get(username=username))
    return stations


def seed_tasks(stations) -> int:
    from tickets.roles import system_user

    created = 0
    supervisor = get_user_model().objects.filter(username="supervisor01").first()
    for waybill, code, kind, hours_ago, note in TASKS:
        ticket = (Ticket.objects.filter(waybill_rows__number=waybill).exclude(status="closed")
                  .order_by("created_at").first())
        if ticket is None or StationTask.objects.filter(ticket=ticket, kind=kind,
                                                        station=stations[code]).exists():
            continue
        moment = max(timezone.now() - timedelta(hours=hours_ago),
                     ticket.created_at + timedelta(minutes=10))
        with time_machine.travel(moment, tick=False), transaction.atomic():
            locked = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
            actions.do_create_station_task(locked, station=stations[code], kind=kind, note=note,
                                           acting_user=supervisor or system_user())
        created += 1
    return created


def seed_address_check() -> bool:
    number, reason, note = ADDRESS_CHECK
    if AddressCheck.objects.filter(tracking_number=number).exists():
        return False
    courier = get_user_model().objects.get(username="courier01")
    actions.check_create_address_check(user=courier, tracking_number=number, reason=reason,
                                       note=note)
    return True


def seed_stations() -> int:
    stations = seed_configuration()
    created = seed_tasks(stations)
    seed_address_check()
    return created
