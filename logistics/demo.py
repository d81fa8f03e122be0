"""Demo tracking data for `seed_demo`: ~60 shipments of the demo customers, with realistic
trajectories, lane history for ETAs, and one hub (杭州转运中心) stalled by a rainstorm.

Everything goes through the real actions (register, store, lane stats, stall detection), so
the snapshots are what ingestion itself would have produced. Idempotent: a second run finds
the demo events and does nothing.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from logistics.actions.eta import refresh_lane_stats
from logistics.actions.shipments import check_register_shipment
from logistics.actions.stalls import detect_stalls
from logistics.actions.store import do_store_update
from logistics.adapters import TrackingEvent as Scan
from logistics.adapters import TrackingUpdate
from logistics.models import TrackingEvent

DEMO_SOURCE = "demo"
PHONES = [f"138000000{i:02d}" for i in range(1, 11)]
STORM_HUB = "杭州转运中心"
STORM_TEXT = f"受暴雨天气影响，【{STORM_HUB}】暂停发运，快件滞留，天气好转后将尽快发出"

# The waybills of the demo tickets (tickets/demo.py), with their customers and carriers.
TICKET_WAYBILLS = [  # number, carrier, customer index, origin, destination, story
    ("SF1409821733526", "sf", 0, "上海市", "杭州市", "storm"),
    ("JDVA20261120001", "jd", 1, "广州市", "深圳市", "out_for_delivery_fresh"),
    ("YT7512345678901", "yto", 3, "杭州市", "上海市", "delivered"),
    ("75312345678901", "zto", 4, "上海市", "南京市", "delivered"),
    ("4312345678901", "sto", 2, "上海市", "成都市", "stuck_transit"),
    ("JT0001234567890", "jt", 5, "广州市", "武汉市", "delivered"),
    ("SF1409821733600", "sf", 7, "上海市", "宁波市", "storm"),
    ("77312345678901", "sto", 8, "深圳市", "广州市", "out_for_delivery"),
    ("SF1409821733700", "sf", 1, "苏州市", "苏州市", "delivered"),
    ("EA123456785CN", "ems", 9, "香港", "上海市", "customs"),
    ("YT7512345678955", "yto", 3, "杭州市", "乌鲁木齐市", "in_transit"),
    ("46312345678901", "yunda", 6, "上海市", "北京市", "available_for_pickup"),
    ("75312345678999", "zto", 4, "上海市", "无锡市", "delivered"),
    ("SF1409821733811", "sf", 0, "上海市", "杭州市", "stuck_out_for_delivery"),
    ("YT7512345678977", "yto", 5, "杭州市", "上海市", "delivered"),
    ("JDVA20261120055", "jd", 7, "上海市", "宁波市", "delivered"),
    ("77312345678922", "sto", 9, "广州市", "佛山市", "delivered"),
    ("4312345678977", "sto", 2, "上海市", "成都市", "delivered"),
    ("JT0001234567999", "jt", 8, "北京市", "武汉市", "returned"),
]
CITIES = ["上海市", "北京市", "广州市", "深圳市", "南京市", "苏州市", "宁波市", "成都市"]
HUBS = {"杭州市": STORM_HUB, "宁波市": STORM_HUB, "上海市": "上海转运中心",
        "北京市": "北京顺义转运中心", "广州市": "广州白云转运中心", "深圳市": "深圳宝安转运中心",
        "南京市": "南京转运中心", "成都市": "成都双流转运中心", "武汉市": "武汉转运中心",
        "苏州市": "苏州转运中心", "无锡市": "无锡转运中心", "佛山市": "广州白云转运中心",
        "乌鲁木齐市": "乌鲁木齐转运中心"}
CARRIER_NAMES = {"sf": "顺丰速运", "jd": "京东物流", "yto": "圆通速递", "zto": "中通快递",
                 "sto": "申通快递", "yunda": "韵达速递", "ems": "中国邮政EMS", "jt": "极兔速递"}


def _steps(story: str, origin: str, destination: str, carrier: str, now, rng):
    """(time, status, location, description) oldest first, ending as `story` says."""
    h = timedelta(hours=1)
    origin_hub = HUBS.get(origin, f"{origin}转运中心")
    dest_hub = HUBS.get(destination, f"{destination}转运中心")
    name = CARRIER_NAMES.get(carrier, "")
    if story == "storm":
        start = now - (52 + rng.uniform(0, 6)) * h
    elif story.startswith("delivered"):
        start = now - rng.uniform(60, 24 * 20) * h
    elif story.startswith("stuck"):
        start = now - (45 + rng.uniform(0, 8)) * h
    else:
        start = now - rng.uniform(8, 30) * h
    t = start
    steps = [(t, "picked_up", origin, f"【{origin}营业部】{name}已揽收")]
    if story == "customs":
        t += 20 * h
        return steps + [(t, "customs", "上海浦东国际机场", "快件已到达海关监管仓，等待清关"),
                        (t + 6 * h, "customs", "上海浦东国际机场", "海关查验中")]
    t += rng.uniform(3, 6) * h
    steps.append((t, "in_transit", origin_hub,
                  f"快件已从【{origin_hub}】发出，下一站【{dest_hub}】"))
    if story in ("in_transit", "stuck_transit"):
        return steps
    t += rng.uniform(6, 14) * h
    steps.append((t, "arrived_at_hub", dest_hub, f"快件已到达【{dest_hub}】"))
    if story == "storm":
        return steps + [(now - (28 + rng.uniform(0, 4)) * h, "arrived_at_hub", STORM_HUB,
                         STORM_TEXT)]
    if story == "arrived_at_hub":
        return steps
    t += rng.uniform(6, 12) * h
    station = f"【{destination}营业部】"
    steps.append((t, "out_for_delivery", destination, f"{station}派件员正在派件"))
    if story in ("out_for_delivery", "out_for_delivery_fresh", "stuck_out_for_delivery"):
        if story == "stuck_out_for_delivery":
            steps[-1] = (now - 15 * h, *steps[-1][1:])
        elif steps[-1][0] > now:
            steps[-1] = (now - 1 * h, *steps[-1][1:])
        return steps
    t += rng.uniform(2, 8) * h
    if story == "available_for_pickup":
        return steps + [(min(t, now - h), "available_for_pickup", destination,
                         f"快件已放入{destination}菜鸟驿站，请凭取件码取件")]
    if story == "returned":
        return steps + [(t, "delivery_failed", destination, "收件人拒收，快件将退回"),
                        (t + 20 * h, "returned", origin, "退回件已签收")]
    return steps + [(t, "delivered", destination, "快件已签收，签收人：本人，感谢使用")]


def _plan(rng):
    plan = list(TICKET_WAYBILLS)
    more_storm = 10
    for n in range(41):
        carrier = rng.choice(["sf", "zto", "yto", "jt", "sto"])
        number = {"sf": f"SF14098218{n:05d}", "zto": f"7531{n:010d}",
                  "yto": f"YT75200000{n:05d}", "jt": f"JT00020000{n:05d}",
                  "sto": f"7731{n:010d}"}[carrier]
        if n < more_storm:
            story, destination = "storm", rng.choice(["杭州市", "宁波市"])
        else:
            story = rng.choice(["delivered"] * 5 + ["in_transit", "arrived_at_hub",
                                                     "out_for_delivery",
                                                     "available_for_pickup"])
            destination = rng.choice(["杭州市", *CITIES])
        origin = rng.choice([c for c in CITIES if c != destination])
        plan.append((number, carrier, n % 10, origin, destination, story))
    return plan


def seed_logistics(now=None) -> int:
    """Creates the demo shipments once; returns how many were created this run."""
    if TrackingEvent.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(20261123)
    created = 0
    with transaction.atomic():
        for number, carrier, customer, origin, destination, story in _plan(rng):
            _, new = check_register_shipment(
                acting_user=None, tracking_number=number, carrier=carrier,
                recipient_phone=PHONES[customer],
                sender_phone=PHONES[(customer + 3) % 10] if rng.random() < 0.2 else "",
                origin=origin, destination=destination,
                goods=(["fresh"] if story == "out_for_delivery_fresh" else
                       ["international"] if story == "customs" else []))
            created += new
            scans = [Scan(t, status, location, text) for t, status, location, text
                     in _steps(story, origin, destination, carrier, now, rng)]
            do_store_update(TrackingUpdate(number, carrier, scans), source=DEMO_SOURCE,
                            now=now)
    refresh_lane_stats(now=now)
    detect_stalls(now=now)
    return created
