#!/usr/bin/env python
"""ParcelDesk ticket API benchmark: the real path, on PostgreSQL, behind gunicorn.

    .venv/bin/python bench/tickets_api.py            # or: make bench
    .venv/bin/python bench/tickets_api.py --profile  # also cProfile 200 creations in-process

What it does (see bench/README.md): recreates a dedicated PostgreSQL database, migrates
(`--run-syncdb` for the bare baseline app), seeds roles/users/config with `seed_demo --force`,
bulk-loads 10,000 tickets × 3 comments, then starts `gunicorn -w 2` (sync workers) and measures

* single-client latency of the list (several orderings/filters) and detail endpoints,
* SQL queries per request (in-process, Django test client + CaptureQueriesContext),
* ticket-creation throughput (POST /api/tickets/) against a bare DRF one-row insert
  (POST /bench/insert/) on the same server, driven by separate client processes.

Figures go to stdout and to bench/out/tickets_api.json. All traffic goes to 127.0.0.1.

The same file is re-run as a Django-configured subprocess for the in-process phases
(`_load`, `_queries`, `_profile`); those are internal.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import (  # bench/common.py
    collect_load_results,
    recreate_database,
    start_gunicorn,
    step,
    stop_process_group,
    sum_load_results,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
DEFAULT_DB_URL = "postgresql://postgres@127.0.0.1:5432/parceldesk_bench"

N_TICKETS = int(os.environ.get("BENCH_TICKETS", "10000"))
COMMENTS_PER_TICKET = 3
LATENCY_WARMUP = 20
LATENCY_REQUESTS = int(os.environ.get("BENCH_LATENCY_REQUESTS", "300"))
THROUGHPUT_CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
THROUGHPUT_WARMUP_S = float(os.environ.get("BENCH_WARMUP_S", "2"))
THROUGHPUT_DURATION_S = float(os.environ.get("BENCH_DURATION_S", "10"))  # per kind, in all
THROUGHPUT_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))  # bare/create alternate
WORKERS = 2
OVERALL_TIMEOUT_S = int(os.environ.get("BENCH_TIMEOUT_S", "420"))

TARGET_QUERIES_PER_PAGE = 10
TARGET_LIST_P50_MS = 30.0
TARGET_CREATE_RATIO = 0.50

LIST_VARIANTS = [  # single-client list latency: orderings and filters
    "ordering=-priority",
    "ordering=response_due",
    "ordering=-updated_at",
    "status=processing",
    "status=processing&ordering=resolve_due",
    "status=received&queue=general",
    "priority=P1&category=lost_parcel",
]


# --------------------------------------------------------------------------------------------
# Django-configured phases (run as subprocesses with the server's environment)
# --------------------------------------------------------------------------------------------

def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def phase_load(n_tickets: int) -> dict:
    """Bulk-loads tickets, waybills, comments and events with realistic-looking spread."""
    _django()
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from routing.models import Queue
    from tickets import sla
    from tickets.models import (
        Category,
        Customer,
        DailySequence,
        Ticket,
        TicketComment,
        TicketEvent,
        TicketWaybill,
    )

    rng = random.Random(20261101)
    User = get_user_model()
    agents = list(User.objects.filter(groups__name="agent").order_by("username"))
    supervisor = User.objects.get(username="supervisor01")
    categories = list(Category.objects.filter(active=True))
    queues = list(Queue.objects.order_by("code"))
    default_queue = next(q for q in queues if q.is_default)
    policies = {}  # (category, priority) → (response, resolve) minutes, via the public API
    ref = timezone.now()
    for category in categories:
        for priority in ("P0", "P1", "P2", "P3"):
            response_due, resolve_due = sla.deadlines(priority, category.pk, ref)
            policies[category.pk, priority] = tuple(
                (due - ref).total_seconds() / 60 if due else None
                for due in (response_due, resolve_due))

    t0 = time.monotonic()
    now = timezone.now()
    batch = 2000
    with transaction.atomic():
        n_customers = max(1, n_tickets // 3)
        customers = Customer.objects.bulk_create(
            [Customer(phone=f"137{i:08d}", name=f"客户{i}", tags=["vip"] if i % 17 == 0 else [])
             for i in range(n_customers)], batch_size=batch)

        statuses = (["received"] * 25 + ["assigned"] * 20 + ["processing"] * 25
                    + ["review"] * 10 + ["closed"] * 20)
        priorities = ["P0"] * 3 + ["P1"] * 35 + ["P2"] * 45 + ["P3"] * 17
        tickets = []
        for i in range(n_tickets):
            created = now - timedelta(seconds=rng.uniform(60, 30 * 86400))
            status = rng.choice(statuses)
            priority = rng.choice(priorities)
            category = rng.choice(categories)
            queue = default_queue if rng.random() < 0.7 else rng.choice(queues)
            owner = None if status == "received" else rng.choice(agents)
            response_min, resolve_min = policies[category.pk, priority]
            response_due = created + timedelta(minutes=response_min) if response_min else None
            resolve_due = created + timedelta(minutes=resolve_min) if resolve_min else None
            first_resp = (created + timedelta(minutes=rng.uniform(2, 40))
                          if status in ("processing", "review", "closed") else None)
            resolved = (created + timedelta(hours=rng.uniform(1, 30))
                        if status in ("review", "closed") else None)
            closed = resolved + timedelta(minutes=rng.uniform(5, 120)) if status == "closed" \
                else None
            response_breach = (response_due if response_due and (
                (first_resp and first_resp > response_due)
                or (first_resp is None and response_due < now)) else None)
            resolve_breach = (resolve_due if resolve_due and (
                (resolved and resolved > resolve_due)
                or (resolved is None and resolve_due < now)) else None)
            tickets.append(Ticket(
                number=f"TK20261101{i + 1:06d}", title=f"工单 {i + 1}：{category.name}",
                description=f"客户反映：{category.name}，请尽快处理。（bench {i + 1}）",
                category=category, priority=priority, impact="single",
                channel=rng.choice(["chatbot", "mini_program", "phone", "agent"]),
                customer=customers[i % n_customers] if rng.random() < 0.95 else None,
                region=rng.choice(["浙江省杭州市西湖区", "上海市浦东新区", "广东省深圳市南山区",
                                   "北京市朝阳区", "四川省成都市武侯区"]),
                status=status, owner=owner, queue=queue,
                response_due=response_due, resolve_due=resolve_due,
                first_responded_at=first_resp, resolved_at=resolved, closed_at=closed,
                response_breached_at=response_breach, resolve_breached_at=resolve_breach,
                escalated=rng.random() < 0.03, tags=["bench"], context={"bench": True},
                created_by=supervisor, created_at=created,
            ))
        tickets = Ticket.objects.bulk_create(tickets, batch_size=batch)

        waybills, comments, events = [], [], []
        for i, ticket in enumerate(tickets):
            waybills.append(TicketWaybill(ticket=ticket, number=f"SF14098217{i:05d}"))
            if i % 10 == 0:
                waybills.append(TicketWaybill(ticket=ticket, number=f"YT75{i:011d}"))
            for c in range(COMMENTS_PER_TICKET):
                comments.append(TicketComment(
                    ticket=ticket, author=ticket.owner or supervisor,
                    visibility="public" if c == 1 else "internal",
                    body=f"第{c + 1}条备注：已联系网点核实。", created_at=ticket.created_at
                    + timedelta(minutes=5 * (c + 1))))
            events.append(TicketEvent(
                ticket=ticket, kind="created", actor=supervisor, to_status="received",
                data={"channel": ticket.channel, "priority": ticket.priority},
                created_at=ticket.created_at))
            if ticket.status != "received":
                events.append(TicketEvent(
                    ticket=ticket, kind="transition", actor=supervisor, from_status="received",
                    to_status=ticket.status, data={"transition": "bench"},
                    created_at=ticket.created_at + timedelta(minutes=1)))
        TicketWaybill.objects.bulk_create(waybills, batch_size=batch)
        TicketComment.objects.bulk_create(comments, batch_size=batch * 2)
        TicketEvent.objects.bulk_create(events, batch_size=batch * 2)
        # Keep the API's own numbering clear of the loaded TK20261101… numbers.
        DailySequence.objects.update_or_create(day=date(2026, 11, 1),
                                               defaults={"last": n_tickets + 1000})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # settled tables: visibility map, statistics
    ids = [t.pk for t in tickets]
    return {"tickets": len(tickets), "comments": len(comments), "waybills": len(waybills),
            "events": len(events), "customers": len(customers),
            "min_id": min(ids), "max_id": max(ids), "seconds": round(time.monotonic() - t0, 1)}


def _client(token):
    from django.test import Client

    # HTTP_HOST: the server's ALLOWED_HOSTS (127.0.0.1,localhost) are in force.
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")


def phase_queries(token: str, detail_ids: list[int]) -> dict:
    """SQL statements per request, in-process, against the bench database."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(token)
    results, dumps = {}, []

    def measure(name, method, path, warm_kwargs=None, **kwargs):
        # warm: first-request lazy work is not counted
        getattr(client, method)(path, **(warm_kwargs or kwargs))
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(path, **kwargs)
        expected = 201 if method == "post" else 200
        if response.status_code != expected:
            raise SystemExit(f"{method.upper()} {path} -> {response.status_code}: "
                             f"{response.content[:300]!r}")
        results[name] = len(ctx.captured_queries)
        dumps.append(f"### {name}: {method.upper()} {path} — {len(ctx.captured_queries)} queries")
        dumps.extend(f"{q['time']:>6}s  {q['sql']}" for q in ctx.captured_queries)
        dumps.append("")

    measure("list_25", "get", "/api/tickets/?page_size=25")
    measure("list_100", "get", "/api/tickets/?page_size=100")
    measure("list_25_status_processing", "get", "/api/tickets/?page_size=25&status=processing")
    detail_counts = []
    for ticket_id in detail_ids:
        measure("detail", "get", f"/api/tickets/{ticket_id}/")
        detail_counts.append(results["detail"])
    results["detail"] = max(detail_counts)
    results["detail_all"] = detail_counts
    # a new customer each time, as in the throughput run (warm-up uses another phone)
    measure("create", "post", "/api/tickets/", content_type="application/json",
            warm_kwargs={"data": create_body(0, 999_998), "content_type": "application/json"},
            data=create_body(0, 999_999))
    measure("bare_insert", "post", "/bench/insert/", data={"title": "bench row"},
            content_type="application/json")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tickets_api_queries.txt").write_text("\n".join(dumps), encoding="utf-8")
    return results


# (label, module, attribute path): inclusive wall time per call. Top-level labels (no indent)
# do not nest in each other and are summed; indented ones nest in the row above; "*" rows cut
# across the others (not summed). Call sites that no longer exist are shown as absent.
_BREAKDOWN = [
    ("token authentication    rest_framework TokenAuthentication.authenticate",
     "rest_framework.authentication", "TokenAuthentication.authenticate"),
    ("staff permission        tickets/api/permissions.py:IsStaffMember.has_permission",
     "tickets.api.permissions", "IsStaffMember.has_permission"),
    ("input validation        tickets/api/views.py:_valid", "tickets.api.views", "_valid"),
    ("action (txn + commit)   tickets/actions/create.py:check_create_ticket",
     "tickets.actions", "check_create_ticket"),
    ("  customer              tickets/actions/create.py:get_or_create_customer",
     "tickets.actions.create", "get_or_create_customer"),
    ("  do_create_ticket      tickets/actions/create.py:do_create_ticket",
     "tickets.actions.create", "do_create_ticket"),
    ("    SLA deadlines       tickets/sla.py:deadlines", "tickets.sla", "deadlines"),
    ("    ticket number       tickets/actions/create.py:next_ticket_number",
     "tickets.actions.create", "next_ticket_number"),
    ("    audit row           tickets/actions/common.py:record_event",
     "tickets.actions.create", "record_event"),
    ("  on_commit push        config/effects.py:_group_send", "config.effects", "_group_send"),
    ("201 body: re-read       tickets/api/views.py:_detail", "tickets.api.views", "_detail"),
    ("201 body: serializer    tickets/api/serializers.py:TicketCreatedOutput",
     "tickets.api.serializers", "TicketCreatedOutput.to_representation"),
    ("JSON rendering          rest_framework JSONRenderer.render",
     "rest_framework.renderers", "JSONRenderer.render"),
    ("* DRF Serializer.get_fields (deepcopy of declared fields, every instantiation)",
     "rest_framework.serializers", "Serializer.get_fields"),
    ("* DRF ModelSerializer.get_fields (model introspection, every instantiation)",
     "rest_framework.serializers", "ModelSerializer.get_fields"),
]


def _install_timers():
    """Wraps the call sites above (in this process only) to sum inclusive wall time."""
    import functools
    import importlib

    totals, restore = {}, []
    for label, module_name, attr_path in _BREAKDOWN:
        try:
            owner = importlib.import_module(module_name)
            *parents, attr = attr_path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = getattr(owner, attr)
        except (ImportError, AttributeError):
            continue  # not in this version of the code
        own = attr in vars(owner)
        totals[label] = [0.0, 0]
        depth = [0]

        def make(original, label, depth):
            @functools.wraps(original)
            def timed(*args, **kwargs):
                if depth[0]:
                    return original(*args, **kwargs)
                depth[0] += 1
                t0 = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    totals[label][0] += time.perf_counter() - t0
                    totals[label][1] += 1
            return timed

        setattr(owner, attr, make(original, label, depth))
        restore.append((owner, attr, original if own else None))
    return totals, restore


def phase_profile(token: str, n: int) -> dict:
    """Where a ticket creation spends its time, in-process through the test client.

    1. wall time per request, no instrumentation: create vs bare insert;
    2. inclusive time per call site (_BREAKDOWN) plus SQL count/time via execute_wrapper;
    3. cProfile of `n` creations and `n` bare inserts → bench/out/create_profile.txt.
    """
    _django()
    import cProfile
    import io
    import pstats

    from django.db import connection

    client = _client(token)
    counter = iter(range(10**6))
    endpoints = {
        "create": ("/api/tickets/", lambda: create_body(98, next(counter))),
        "bare_insert": ("/bench/insert/", lambda: {"title": f"row {next(counter)}"}),
    }

    def drive(name, count):
        path, make = endpoints[name]
        for _ in range(count):
            response = client.post(path, data=make(), content_type="application/json")
            assert response.status_code == 201, response.content[:300]

    out = {"requests": n}
    for name in endpoints:  # warm-up
        drive(name, 20)

    # 1. plain wall time
    for name in endpoints:
        t0 = time.perf_counter()
        drive(name, n)
        out[f"{name}_ms"] = round(1000 * (time.perf_counter() - t0) / n, 2)

    # 2. breakdown
    sql = {"count": 0, "seconds": 0.0}

    def sql_timer(execute, query, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["count"] += 1
            sql["seconds"] += time.perf_counter() - t0

    totals, restore = _install_timers()
    try:
        with connection.execute_wrapper(sql_timer):
            t0 = time.perf_counter()
            drive("create", n)
            total = time.perf_counter() - t0
    finally:
        for owner, attr, original in restore:
            if original is None:
                delattr(owner, attr)  # was inherited
            else:
                setattr(owner, attr, original)
    lines = [f"create, {n} requests, in-process: {1000 * total / n:.2f} ms/request "
             f"(instrumented); SQL {sql['count'] / n:.1f} statements, "
             f"{1000 * sql['seconds'] / n:.2f} ms/request in cursor.execute",
             f"bare insert, uninstrumented: {out['bare_insert_ms']} ms/request; "
             f"create uninstrumented: {out['create_ms']} ms/request",
             "", f"{'inclusive ms/request':>22}  calls/req  call site"]
    breakdown = {}
    for label, _m, _a in _BREAKDOWN:
        if label not in totals:
            lines.append(f"{'absent':>22}  {'':>9}  {label}")
            continue
        seconds, calls = totals[label]
        breakdown[label.strip()] = round(1000 * seconds / n, 2)
        lines.append(f"{1000 * seconds / n:>22.2f}  {calls / n:>9.1f}  {label}")
    accounted = sum(totals[label][0] for label, _m, _a in _BREAKDOWN
                    if label in totals and not label.startswith((" ", "*")))
    lines.append(f"{1000 * (total - accounted) / n:>22.2f}  {'':>9}  rest: test client, "
                 "Django middleware, DRF dispatch/parsing, Response")
    out["breakdown_ms"] = breakdown
    out["sql_per_create"] = round(sql["count"] / n, 1)
    out["sql_ms_per_create"] = round(1000 * sql["seconds"] / n, 2)

    # 3. cProfile
    report = io.StringIO()
    report.write("\n".join(lines) + "\n")
    for name in endpoints:
        profiler = cProfile.Profile()
        profiler.enable()
        drive(name, n)
        profiler.disable()
        for sort in ("cumulative", "tottime"):
            report.write(f"\n===== {name}: {n} requests, sorted by {sort} =====\n")
            pstats.Stats(profiler, stream=report).strip_dirs().sort_stats(sort).print_stats(45)
        if name == "create":
            report.write(f"\n===== {name}: project code only (tickets/, config/), cumulative "
                         "=====\n")
            pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(
                re.escape(str(ROOT)) + r"/(tickets|config|routing)/", 40)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "create_profile.txt").write_text(report.getvalue(), encoding="utf-8")
    out["report"] = str(OUT / "create_profile.txt")
    out["summary"] = lines
    return out


# --------------------------------------------------------------------------------------------
# HTTP load (plain http.client; gunicorn sync workers close the connection after each
# response, http.client reconnects transparently)
# --------------------------------------------------------------------------------------------

def create_body(client_no: int, i: int) -> dict:
    return {
        "title": f"快递延误 bench {client_no}-{i}",
        "description": "客户反映包裹三天未更新物流信息，请核实。",
        "category": "lost_parcel",
        "customer_phone": f"139{client_no:02d}{i % 1_000_000:06d}",
        "waybills": [f"SF14098217{(client_no * 7919 + i) % 100000:05d}"],
    }


def _request(conn, method, path, headers, body=None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload


def _percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def measure_latency(port, token, paths, n, warmup=LATENCY_WARMUP):
    """Single client, sequential requests cycling through `paths`; returns ms figures."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples, errors = [], 0
    try:
        for i in range(warmup + n):
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            status, payload = _request(conn, "GET", path, headers)
            elapsed = (time.perf_counter() - t0) * 1000
            if status != 200:
                errors += 1
                if errors == 1:
                    print(f"  ! GET {path} -> {status}: {payload[:200]!r}", flush=True)
            if i >= warmup:
                samples.append(elapsed)
    finally:
        conn.close()
    samples.sort()
    return {"requests": len(samples), "errors": errors,
            "p50_ms": round(_percentile(samples, 0.50), 2),
            "p90_ms": round(_percentile(samples, 0.90), 2),
            "p99_ms": round(_percentile(samples, 0.99), 2),
            "mean_ms": round(sum(samples) / len(samples), 2)}


def _load_worker(client_no, port, token, kind, start_at, warmup_s, duration_s, results):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json",
               "Accept": "application/json"}
    path = "/api/tickets/" if kind == "create" else "/bench/insert/"
    measure_from, measure_to = start_at + warmup_s, start_at + warmup_s + duration_s
    ok = errors = 0
    statuses: dict[str, int] = {}
    first_error = None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < start_at:
        time.sleep(0.001)
    i = 0
    while True:
        now = time.time()
        if now >= measure_to:
            break
        body = json.dumps(create_body(client_no, i) if kind == "create"
                          else {"title": f"bench row {client_no}-{i}"}).encode()
        i += 1
        try:
            status, payload = _request(conn, "POST", path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            status, payload = f"{exc.__class__.__name__}", str(exc).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = time.time()
        if measure_from <= done < measure_to:
            if status == 201:
                ok += 1
            else:
                errors += 1
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if first_error is None:
                    first_error = f"{status}: {payload[:300]!r}"
    conn.close()
    results.put({"client": client_no, "ok": ok, "errors": errors, "statuses": statuses,
                 "first_error": first_error})


def _cpu_snapshot() -> dict:
    """CPU ticks: the whole machine's busy time and each process's (pgid, comm, ticks)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # minus idle, iowait
    procs = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(rest[2]), comm, int(rest[11]) + int(rest[12]))
    return {"busy": busy, "procs": procs}


def _cpu_split(before, after, own_pgid, own_pids) -> dict:
    """Ticks used in the window by our server + clients, by PostgreSQL, and the rest (other
    processes, including any that ended during the window)."""
    mine = postgres = 0
    for pid, (pgid, comm, ticks) in after["procs"].items():
        used = ticks - before["procs"].get(pid, (0, "", 0))[2]
        if pgid == own_pgid or pid in own_pids:
            mine += used
        elif comm.startswith("postgres"):
            postgres += used
    busy = after["busy"] - before["busy"]
    return {"busy": busy, "mine": mine, "postgres": postgres,
            "other": max(0, busy - mine - postgres)}


def measure_throughput(port, token, kind, clients, warmup_s, duration_s, procs, *, round_no=0,
                       server_pgid=0):
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + 0.3
    base = (50 if kind == "create" else 0) + 10 * round_no  # unique phones across rounds
    workers = [ctx.Process(target=_load_worker, daemon=True,
                           args=(base + c, port, token, kind,
                                 start_at, warmup_s, duration_s, results))
               for c in range(clients)]
    procs.extend(workers)
    for w in workers:
        w.start()
    own = {w.pid for w in workers}
    time.sleep(max(0.0, start_at + warmup_s - time.time()))
    cpu0 = _cpu_snapshot()
    time.sleep(max(0.0, start_at + warmup_s + duration_s - time.time()))
    cpu1 = _cpu_snapshot()
    collected = collect_load_results(results, workers, start_at + warmup_s + duration_s + 40)
    totals = sum_load_results(collected, clients)
    ok = totals["requests_ok"]
    capacity = os.sysconf("SC_CLK_TCK") * duration_s * (os.cpu_count() or 1)
    delta = _cpu_split(cpu0, cpu1, server_pgid, own)
    return {**totals, "req_per_s": round(ok / duration_s, 1),
            "duration_s": duration_s, "warmup_s": warmup_s,
            "cpu_share": {"busy": round(delta["busy"] / capacity, 2),
                          "server_and_clients": round(delta["mine"] / capacity, 2),
                          "postgres": round(delta["postgres"] / capacity, 2),
                          "other": round(delta["other"] / capacity, 2)}}


def throughput_rounds(port, token, procs, server_pgid) -> dict:
    """Bare and create alternate in rounds, so a burst of outside load hits both."""
    rounds = max(1, THROUGHPUT_ROUNDS)
    per_round = THROUGHPUT_DURATION_S / rounds
    out = {"bare_insert": [], "create": []}
    for r in range(rounds):
        warmup = THROUGHPUT_WARMUP_S if r == 0 else min(1.0, THROUGHPUT_WARMUP_S)
        for kind, key in (("bare", "bare_insert"), ("create", "create")):
            step(f"throughput round {r + 1}/{rounds}: {key}, {THROUGHPUT_CLIENTS} client "
                  f"processes, {warmup:g} s warm-up + {per_round:g} s")
            out[key].append(measure_throughput(port, token, kind, THROUGHPUT_CLIENTS, warmup,
                                               per_round, procs, round_no=r,
                                               server_pgid=server_pgid))
    summary = {}
    for key, runs in out.items():
        ok = sum(x["requests_ok"] for x in runs)
        first_error = next((x["first_error"] for x in runs if x["first_error"]), None)
        statuses: dict[str, int] = {}
        for x in runs:
            for k, v in x["error_statuses"].items():
                statuses[k] = statuses.get(k, 0) + v
        summary[key] = {
            "req_per_s": round(ok / THROUGHPUT_DURATION_S, 1), "requests_ok": ok,
            "errors": sum(x["errors"] for x in runs), "error_statuses": statuses,
            "first_error": first_error, "clients": THROUGHPUT_CLIENTS,
            "duration_s": THROUGHPUT_DURATION_S, "rounds": runs,
            "other_cpu_share_max": max(x["cpu_share"]["other"] for x in runs),
        }
    return summary


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

class Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise Timeout(f"bench exceeded {OVERALL_TIMEOUT_S} s")


def server_env(db_url: str) -> dict:
    env = dict(os.environ)
    # As in production: Redis is the Celery broker (routing and notifications are queued, not
    # run in the request), the channel layer and the cache. Nothing consumes the queue here.
    env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "flushdb"], check=False,
                   capture_output=True)
    env.update({
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "DEBUG": "0",
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PARCELDESK_BENCH": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    })
    return env


def run(cmd, env, timeout, capture=True) -> str:
    proc = subprocess.run(cmd, cwd=ROOT, env=env, timeout=timeout, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stdout or ''}\n{proc.stderr or ''}")
    return proc.stdout or ""


def run_phase(phase, env, timeout, *args) -> dict:
    out = run([PY, str(Path(__file__).resolve()), phase, *map(str, args)], env, timeout)
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warm_server(port, token):
    """A few requests per endpoint so both workers have imported/compiled everything."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(6):
        _request(conn, "GET", "/api/tickets/?page_size=25", headers)
        _request(conn, "POST", "/bench/insert/", headers, json.dumps({"title": "warm"}).encode())
        status, payload = _request(conn, "POST", "/api/tickets/", headers,
                                   json.dumps(create_body(97, i)).encode())
        if status != 201:
            raise SystemExit(f"POST /api/tickets/ -> {status}: {payload[:300]!r}")
    conn.close()


def source_fingerprint() -> dict[str, str]:
    """Hashes of the project's Python sources (bench/, tests/ and .venv excluded): a run whose
    code changed under it (an edit in the checkout mid-run) is flagged."""
    import hashlib

    hashes = {}
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "bench", "tests") or "__pycache__" in rel.parts:
            continue
        hashes[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return hashes


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true",
                        help="always run the in-process create-path profile (by default it "
                             "runs only when the creation target fails)")
    parser.add_argument("--no-profile", action="store_true", help="never run it")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL)
    env = server_env(db_url)
    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(OVERALL_TIMEOUT_S)
    started = time.monotonic()
    fingerprint = source_fingerprint()
    load_before = os.getloadavg()[0]
    gunicorn = None
    procs: list = []
    try:
        safe_url = urlunsplit(urlsplit(db_url)._replace(
            netloc=urlsplit(db_url).netloc.split("@")[-1]))
        step(f"recreating database {safe_url}")
        recreate_database(db_url)
        step("migrate --run-syncdb")
        run([PY, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v0"], env, 180)
        step("seed_demo --force (roles, users, categories, SLA policies, queues)")
        run([PY, "manage.py", "seed_demo", "--force"], env, 120)
        token = run([PY, "manage.py", "issue_token", "supervisor01"], env, 60).split()[-1]
        step(f"loading {N_TICKETS:,} tickets × {COMMENTS_PER_TICKET} comments")
        load = run_phase("_load", env, 300, N_TICKETS)
        step(f"  loaded {load['tickets']:,} tickets, {load['comments']:,} comments, "
              f"{load['waybills']:,} waybills, {load['events']:,} events, "
              f"{load['customers']:,} customers in {load['seconds']} s")

        rng = random.Random(7)
        detail_ids = [rng.randint(load["min_id"], load["max_id"]) for _ in range(400)]

        step("SQL queries per request (in-process test client)")
        queries = run_phase("_queries", env, 120, token, ",".join(map(str, detail_ids[:5])))

        port = free_port()
        step(f"starting gunicorn -w {WORKERS} (sync) on 127.0.0.1:{port}")
        gunicorn = start_gunicorn(env, port, OUT / "gunicorn.log", python=PY, root=ROOT,
                                  workers=WORKERS)
        warm_server(port, token)

        step(f"latency: list page_size=25 ({LATENCY_REQUESTS} requests)")
        lat_list = measure_latency(port, token, ["/api/tickets/?page_size=25"],
                                   LATENCY_REQUESTS)
        step(f"latency: list with orderings/filters ({LATENCY_REQUESTS} requests)")
        lat_variants = measure_latency(
            port, token, [f"/api/tickets/?page_size=25&{q}" for q in LIST_VARIANTS],
            LATENCY_REQUESTS)
        per_variant = {q: measure_latency(port, token, [f"/api/tickets/?page_size=25&{q}"],
                                          30, warmup=2)["p50_ms"] for q in LIST_VARIANTS}
        lat_variants["p50_ms_by_variant"] = per_variant
        step("latency: list page_size=100 (100 requests)")
        lat_list100 = measure_latency(port, token, ["/api/tickets/?page_size=100"], 100)
        step(f"latency: detail on random ids ({LATENCY_REQUESTS} requests)")
        lat_detail = measure_latency(port, token,
                                     [f"/api/tickets/{i}/" for i in detail_ids],
                                     LATENCY_REQUESTS)

        tp = throughput_rounds(port, token, procs, gunicorn.pid)
        bare, create = tp["bare_insert"], tp["create"]
        stop_process_group(gunicorn)
        gunicorn = None

        ratio = create["req_per_s"] / bare["req_per_s"] if bare["req_per_s"] else 0.0
        checks = {
            "queries_per_page": max(queries["list_25"], queries["list_100"])
            <= TARGET_QUERIES_PER_PAGE,
            "list_p50": lat_list["p50_ms"] < TARGET_LIST_P50_MS,
            "create_ratio": ratio >= TARGET_CREATE_RATIO and create["errors"] == 0,
        }
        profile = None
        if args.profile or (not checks["create_ratio"] and not args.no_profile):
            step("create-path profile: 200 creations + 200 bare inserts in-process")
            profile = run_phase("_profile", env, 180, token, 200)
        fingerprint_after = source_fingerprint()
        changed_files = sorted(k for k in fingerprint.keys() | fingerprint_after.keys()
                               if fingerprint.get(k) != fingerprint_after.get(k))
        code_changed = bool(changed_files)
        result = {
            "bench": "tickets_api",
            "source_changed_during_run": changed_files,
            "loadavg_1min_at_start": round(load_before, 2),
            "setup": {"database": "postgresql", "database_url": safe_url,
                      "server": f"gunicorn {WORKERS} sync workers", "tickets": load["tickets"],
                      "comments_per_ticket": COMMENTS_PER_TICKET,
                      "load": load, "cpu_count": os.cpu_count(),
                      "throughput_clients": THROUGHPUT_CLIENTS},
            "latency": {"list_25": lat_list, "list_25_variants": lat_variants,
                        "list_100": lat_list100, "detail": lat_detail},
            "queries": queries,
            "throughput": {"create": create, "bare_insert": bare, "ratio": round(ratio, 3)},
            "targets": {"queries_per_page_max": TARGET_QUERIES_PER_PAGE,
                        "list_p50_ms_max": TARGET_LIST_P50_MS,
                        "create_ratio_min": TARGET_CREATE_RATIO,
                        "pass": checks},
            "profile": profile,
            "seconds": round(time.monotonic() - started, 1),
        }
        (OUT / "tickets_api.json").write_text(json.dumps(result, indent=2, ensure_ascii=False),
                                              encoding="utf-8")

        if create["first_error"]:
            print(f"  ! first create error: {create['first_error']}")
        if bare["first_error"]:
            print(f"  ! first bare error: {bare['first_error']}")
        busy_other = max(bare["other_cpu_share_max"], create["other_cpu_share_max"])
        if busy_other > 0.10:
            print(f"  ! other processes used up to {busy_other:.0%} of the CPUs during the "
                  "throughput windows: req/s figures are depressed; run again on a quiet machine")
        if code_changed:
            print("  ! the project's sources changed during this run (the figures may mix code "
                  f"versions; run again): {', '.join(changed_files[:6])}"
                  f"{' …' if len(changed_files) > 6 else ''}")
        print()
        print(f"tickets_api bench (PostgreSQL, gunicorn {WORKERS} sync workers, "
              f"{load['tickets']:,} tickets × {COMMENTS_PER_TICKET} comments)")
        print(f"list   p50 {lat_list['p50_ms']:.1f} ms  p99 {lat_list['p99_ms']:.1f} ms   "
              f"(page_size=25)   queries/request: {queries['list_25']} (25 rows), "
              f"{queries['list_100']} (100 rows)")
        print(f"list   p50 {lat_variants['p50_ms']:.1f} ms  p99 {lat_variants['p99_ms']:.1f} ms"
              f"   (page_size=25, {len(LIST_VARIANTS)} orderings/filters, "
              f"e.g. status=processing p50 {per_variant['status=processing']:.1f} ms)")
        print("       p50 by variant: " + ", ".join(f"{q} {ms:.1f}"
                                                  for q, ms in per_variant.items()))
        print(f"list   p50 {lat_list100['p50_ms']:.1f} ms  p99 {lat_list100['p99_ms']:.1f} ms"
              f"   (page_size=100)")
        print(f"detail p50 {lat_detail['p50_ms']:.1f} ms  p99 {lat_detail['p99_ms']:.1f} ms   "
              f"queries/request: {queries['detail']}")
        rounds = " | ".join(f"{b['req_per_s']:.0f} / {c['req_per_s']:.0f}"
                            for b, c in zip(bare["rounds"], create["rounds"], strict=True))
        print(f"        per round bare / create req/s: {rounds}; CPU share of other "
              f"processes ≤ {busy_other:.0%}")
        print(f"create  {create['req_per_s']:.1f} req/s (errors {create['errors']})   "
              f"bare insert  {bare['req_per_s']:.1f} req/s (errors {bare['errors']})   "
              f"ratio  {ratio:.0%}   queries/request: create {queries['create']}, "
              f"bare {queries['bare_insert']}")
        print(f"targets: ≤{TARGET_QUERIES_PER_PAGE} queries/page "
              f"{verdict(checks['queries_per_page'])}, list p50 < {TARGET_LIST_P50_MS:g} ms "
              f"{verdict(checks['list_p50'])}, create ≥ {TARGET_CREATE_RATIO:.0%} of bare "
              f"{verdict(checks['create_ratio'])}")
        if profile:
            print("create-path breakdown (in-process, test client, mean per request):")
            for line in profile["summary"]:
                print(f"  {line}")
            print(f"  cProfile report: {profile['report']}")
        print(f"(figures in {OUT / 'tickets_api.json'}; SQL in "
              f"{OUT / 'tickets_api_queries.txt'}; {result['seconds']} s)")
        return 1 if args.strict and not all(checks.values()) else 0
    finally:
        signal.alarm(0)
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=2)
        stop_process_group(gunicorn)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_load":
        print(json.dumps(phase_load(int(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_queries":
        print(json.dumps(phase_queries(sys.argv[2], [int(x) for x in sys.argv[3].split(",")])))
    elif len(sys.argv) > 1 and sys.argv[1] == "_profile":
        print(json.dumps(phase_profile(sys.argv[2], int(sys.argv[3]))))
    else:
        sys.exit(main())
