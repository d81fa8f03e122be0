"""Batch-anomaly detection and KPI benchmark (PostgreSQL).

Loads 200,000 shipments with 1,000,000 tracking events through logistics' bulk import path
(the JSON-lines shape of `import_tracking`), a few stalled hubs among scattered single stalls,
then prints in one run:
- our stall-cluster detection (analytics.selectors.find_stall_clusters) against a bare SQL
  aggregate over the raw events that finds the same clusters (target: ≤ 3×);
- a full detection pass (incidents opened, children, evidence) for information;
- the KPI query (analytics.kpis.compute_kpis) over 100,000 tickets in one month (target < 2 s).

    .venv/bin/python bench/anomalies.py [--scale 0.05]
Own database: BENCH_ANOMALIES_DATABASE_URL (postgres://postgres@127.0.0.1:5432/
parceldesk_bench_anomalies), dropped and created on each run.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import recreate_database, step  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/parceldesk_bench_anomalies"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai
CARRIERS = ["sf", "zto", "yto", "sto", "yunda", "jd"]
CLUSTERS = [("杭州转运中心", "sf", 1000), ("武汉转运中心", "zto", 400),
            ("郑州转运中心", "yto", 120)]
STATUSES = ["picked_up", "in_transit", "arrived_at_hub", "in_transit", "out_for_delivery",
            "delivered"]


def hubs(n=300):
    return [f"枢纽{i:03d}转运中心" for i in range(n)]


def event_lines(n_shipments: int, rng: random.Random):
    """5 scans per parcel. Most are delivered or moving recently; ~2% stall scattered over
    every hub × carrier; the CLUSTERS pile up at their hub (last scan 26–40 h ago)."""
    places = hubs()
    clustered = []
    for hub, carrier, size in CLUSTERS:
        clustered += [(hub, carrier)] * size
    for i in range(n_shipments):
        carrier = CARRIERS[i % len(CARRIERS)]
        number = f"BK{i:012d}"
        if i < len(clustered):
            hub, carrier = clustered[i]
            last = NOW - timedelta(hours=rng.uniform(26, 40))
            kind = "stalled"
        else:
            hub = rng.choice(places)
            roll = rng.random()
            if roll < 0.02:
                last, kind = NOW - timedelta(hours=rng.uniform(26, 60)), "stalled"
            elif roll < 0.75:
                last, kind = NOW - timedelta(hours=rng.uniform(30, 400)), "delivered"
            else:
                last, kind = NOW - timedelta(hours=rng.uniform(0.5, 20)), "moving"
        start = last - timedelta(hours=rng.uniform(20, 40))
        times = sorted(start + (last - start) * f for f in (0, 0.25, 0.5, 0.75, 1))
        if kind == "delivered":
            steps = STATUSES[:3] + STATUSES[4:]
        else:
            steps = STATUSES[:4] + ["arrived_at_hub"]
        for k, (t, status) in enumerate(zip(times, steps, strict=True)):
            location = hub if k == 4 else rng.choice(places)
            yield json.dumps({"tracking_number": number, "carrier": carrier,
                              "time": t.isoformat(), "status": status, "location": location,
                              "description": f"快件到达【{location}】#{k}", "source": "bench"},
                             ensure_ascii=False).encode()


BARE_SQL = """
WITH last AS (
    SELECT DISTINCT ON (e.shipment_id) e.shipment_id, e.time, e.status, e.location
    FROM logistics_trackingevent e
    ORDER BY e.shipment_id, e.time DESC, e.id DESC)
SELECT l.location, s.carrier, count(*)
FROM last l JOIN logistics_shipment s ON s.id = l.shipment_id
WHERE l.location <> '' AND l.time >= %s AND l.time <= %s - ({thresholds})
GROUP BY l.location, s.carrier
HAVING count(*) >= %s"""


# The same question asked of the shipment summary (each shipment's last scan, kept by ingest),
# which is the table our detection reads: the baseline that measures our code's overhead
# rather than the choice of table.
BARE_SUMMARY_SQL = """
SELECT s.last_location, s.carrier, count(*)
FROM logistics_shipment s
WHERE s.last_location <> '' AND s.last_event_at >= %s AND s.last_event_at <= %s - ({thresholds})
GROUP BY s.last_location, s.carrier
HAVING count(*) >= %s"""


def bare_clusters(now, window_hours, min_count, sql_text=None):
    from django.db import connection

    from logistics.actions.derive import stall_thresholds

    cases = " ".join(f"WHEN '{status}' THEN interval '{int(hours)} hours'"
                     for status, hours in sorted(stall_thresholds().items()))
    alias = "s" if sql_text is BARE_SUMMARY_SQL else "l"
    sql = (sql_text or BARE_SQL).format(
        thresholds=f"CASE {alias}.status {cases} ELSE interval '100 years' END")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now - timedelta(hours=window_hours), now, min_count])
        return {(loc, carrier): n for loc, carrier, n in cursor.fetchall()}


def timed(fn, repeat=3):
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return result, min(runs), statistics.median(runs)


def load_tickets(n: int, rng: random.Random) -> tuple[datetime, datetime]:
    """n tickets spread over November 2026 with responses, resolutions, reopenings, events
    and surveys, inserted in bulk (the KPI query is measured, not their creation)."""
    from django.contrib.auth import get_user_model

    from routing.models import Queue
    from tickets.models import Category, CsatSurvey, Ticket, TicketEvent

    start = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 Shanghai
    end = start + timedelta(days=30)
    codes = ["urge_delivery", "lost_parcel", "damaged_parcel", "fee_dispute", "wrong_item",
             "signed_not_received", "change_delivery", "claim", "complaint_service", "other"]
    categories = [Category.objects.get_or_create(code=c, defaults={"name": c})[0]
                  for c in codes]
    queues = [Queue.objects.get_or_create(code=f"q{i}", defaults={"name": f"q{i}"})[0]
              for i in range(5)]
    agents = [get_user_model().objects.get_or_create(username=f"bench_agent{i:02d}")[0]
              for i in range(40)]
    regions = ["浙江省杭州市西湖区", "上海市浦东新区", "广东省深圳市南山区", "北京市朝阳区",
               "黑龙江省哈尔滨市南岗区", "四川省成都市武侯区"]
    tickets = []
    for i in range(n):
        created = start + (end - start) * rng.random()
        priority = rng.choice(["P0", "P1", "P1", "P2", "P2", "P2", "P3"])
        respond = created + timedelta(minutes=rng.expovariate(1 / 20))
        resolved = respond + timedelta(minutes=rng.expovariate(1 / 150))
        state = rng.random()
        fields = {"status": "received"}
        if state > 0.1:
            fields.update(owner=rng.choice(agents), first_responded_at=respond,
                          status="processing")
        if state > 0.3:
            fields.update(resolved_at=resolved, status="review")
        if state > 0.4:
            fields.update(closed_at=resolved + timedelta(minutes=10), status="closed")
        if state > 0.97:
            fields.update(reopen_count=1, closed_at=None, resolved_at=None, status="processing")
        # the state field is protected (django-fsm): set only through the constructor here
        t = Ticket(number=f"BK{i:010d}", title="bench", category=rng.choice(categories),
                   priority=priority, channel=rng.choice(["chatbot", "agent", "phone"]),
                   region=rng.choice(regions), queue=rng.choice(queues),
                   created_at=created, response_due=created + timedelta(minutes=30),
                   resolve_due=created + timedelta(minutes=240), **fields)
        tickets.append(t)
    Ticket.objects.bulk_create(tickets, batch_size=5000)
    ids = list(Ticket.objects.filter(number__startswith="BK").values_list("pk", "owner_id",
                                                                          "closed_at"))
    events, surveys = [], []
    for pk, owner, closed in ids:
        if owner:
            events.append(TicketEvent(ticket_id=pk, kind="assignment", data={"to_owner": owner}))
            if rng.random() < 0.08:
                events.append(TicketEvent(ticket_id=pk, kind="transition",
                                          data={"transition": "release"}))
        if closed:
            surveys.append(CsatSurvey(ticket_id=pk, created_at=closed,
                                      score=rng.choice([None, 3, 4, 5, 5])))
    TicketEvent.objects.bulk_create(events, batch_size=5000)
    CsatSurvey.objects.bulk_create(surveys, batch_size=5000)
    return start, end


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the full size (200,000 shipments, 100,000 tickets)")
    args = parser.parse_args(argv)
    db_url = os.environ.get("BENCH_ANOMALIES_DATABASE_URL", DEFAULT_DB_URL)
    os.environ["DATABASE_URL"] = db_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    n_shipments = int(200_000 * args.scale)
    n_tickets = int(100_000 * args.scale)
    step(f"recreating {db_url.split('@')[-1]}")
    recreate_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from analytics.actions import do_detect_anomalies
    from analytics.kpis import compute_kpis
    from analytics.models import AnomalySettings
    from analytics.selectors import find_stall_clusters
    from logistics.actions.bulk import do_import_events
    from tickets.roles import system_user

    rng = random.Random(9)
    step(f"bulk import: {n_shipments:,} shipments, {n_shipments * 5:,} events (import path)")
    summary = do_import_events(event_lines(n_shipments, rng), derive=False)
    step(f"  {summary.events_new:,} events, {summary.shipments_created:,} shipments in "
         f"{summary.seconds} s ({summary.rejected} rejected)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    config = AnomalySettings.current()
    ours, ours_best, ours_median = timed(lambda: find_stall_clusters(NOW, config))
    bare, bare_best, bare_median = timed(lambda: bare_clusters(
        NOW, config.stall_window_hours, config.stall_min_count))
    summary_bare, summary_best, summary_median = timed(lambda: bare_clusters(
        NOW, config.stall_window_hours, config.stall_min_count, BARE_SUMMARY_SQL))
    ours_set = {(c.location, c.carrier): c.count for c in ours}
    same = ours_set == bare == summary_bare
    ratio = ours_median / bare_median
    step(f"clusters: ours {sorted(ours_set.items())}")
    step(f"          bare {sorted(bare.items())}  same: {same}")
    print(f"stall-cluster detection  {ours_median * 1000:8.1f} ms (best {ours_best * 1000:.1f})")
    print(f"bare SQL aggregate       {bare_median * 1000:8.1f} ms (best {bare_best * 1000:.1f})")
    print(f"ratio                    {ratio:8.2f}×  target ≤ 3×  "
          f"{'PASS' if ratio <= 3 and same else 'FAIL'}")
    print(f"bare SQL on the shipment summary {summary_median * 1000:8.1f} ms "
          f"(best {summary_best * 1000:.1f}): ours = {ours_median / summary_median:.2f}× of it "
          f"(the overhead of our code over the same table){'' if same else '  CLUSTERS DIFFER'}")

    from tickets.models import Category

    Category.objects.get_or_create(code="batch_incident", defaults={"name": "批量异常"})
    started = time.perf_counter()
    outcomes = do_detect_anomalies(NOW)
    full = time.perf_counter() - started
    print(f"full detection pass      {full * 1000:8.1f} ms ({len(outcomes)} incidents opened, "
          f"{sum(o.incident.shipments_count for o in outcomes):,} parcels, with tickets, "
          f"evidence and backlog samples; for information)")

    step(f"loading {n_tickets:,} tickets over one month (bulk insert)")
    start, end = load_tickets(n_tickets, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = system_user()
    for group_by in (None, "category", "agent"):
        result, best, median = timed(lambda g=group_by: compute_kpis(
            user=user, start=start, end=end, group_by=g, now=end))
        print(f"KPIs, month, group_by={group_by or '-':9s} {median * 1000:8.1f} ms "
              f"(best {best * 1000:.1f}; {result['overall']['volume']:,} tickets)  "
              f"target < 2 s  {'PASS' if median < 2 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
