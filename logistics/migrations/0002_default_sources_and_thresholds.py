"""Ops rows: one per tracking source (knobs only, keys live in settings) and the default stall
thresholds (the same as logistics.actions.derive.DEFAULT_STALL_HOURS)."""

from django.db import migrations

SOURCES = [  # code, name, polling, poll interval min, min re-query min, requests/s
    ("kuaidi100", "快递100", True, 120, 30, 0),
    ("kdniao", "快递鸟", True, 120, 0, 0),
    ("17track", "17TRACK", True, 180, 0, 3),
    ("aftership", "AfterShip", False, 180, 0, 0),
    ("sf", "顺丰丰桥", True, 120, 0, 0),
    ("cainiao", "菜鸟/淘宝开放平台", False, 120, 0, 0),
    ("yto", "圆通开放平台", True, 120, 0, 0),
    ("yunda", "韵达开放平台", True, 120, 0, 0),
]
THRESHOLDS = {
    "created": 72, "picked_up": 24, "in_transit": 24, "arrived_at_hub": 24, "customs": 48,
    "out_for_delivery": 12, "available_for_pickup": 72, "delivery_failed": 24, "exception": 24,
}


def install(apps, schema_editor):
    Source = apps.get_model("logistics", "TrackingSource")
    Threshold = apps.get_model("logistics", "StallThreshold")
    for code, name, polling, interval, requery, rate in SOURCES:
        Source.objects.get_or_create(code=code, defaults={
            "name": name, "polling_enabled": polling, "poll_interval_minutes": interval,
            "min_requery_minutes": requery, "max_requests_per_second": rate})
    for status, hours in THRESHOLDS.items():
        Threshold.objects.get_or_create(status=status, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
