#!/usr/bin/env python
"""Live-push benchmark: N authenticated console WebSockets on two ASGI processes sharing
Redis; a ticket status change made through the real API reaches every subscribed client.

    .venv/bin/python bench/push.py                  # 500 clients, 10 status changes
    .venv/bin/python bench/push.py --clients 50 --rounds 3
    .venv/bin/python bench/push.py --strict         # exit 1 when the target fails

Recreates its own PostgreSQL database (BENCH_PUSH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/parceldesk_bench_push; local hosts only) and uses Redis at
BENCH_PUSH_REDIS_URL (else REDIS_URL, else redis://127.0.0.1:6379/0) as the channel layer of
both nodes. Loads N agents, all members of one queue (so every one of them may see the queue's
tickets and is subscribed to `queue.<id>`), each with a real Django session (created in the
database, as a login would: the same cookie the browser sends — no extra auth path), and one
ticket in that queue owned by the first agent. Starts two uvicorn (or daphne) nodes
on free ports of 8100-8199, connects the clients alternately to node A and node B, then
alternates `submit_review` (the owner) and `reject` (a reviewer) through
POST /api/tickets/{id}/transitions/<name>/ on node A.

Latency = time the client read the event − time of the change (its audit row, written in the
transaction just before commit; same host, same clock): commit, the after-commit push through
Redis and both nodes' fan-out. Also printed: latency from just before the HTTP request (adds
the request's own work) and the fan-out spread. Target: p99 < 200 ms and every client receives
every change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from common import recreate_database, step, stop_process_group  # bench/common.py

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB_URL = os.environ.get("BENCH_PUSH_DATABASE_URL",
                        "postgresql://postgres@127.0.0.1:5432/parceldesk_bench_push")
REDIS_URL = (os.environ.get("BENCH_PUSH_REDIS_URL") or os.environ.get("REDIS_URL")
             or "redis://127.0.0.1:6379/0")
TARGET_P99_MS = 200.0


def env() -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    e.update(DATABASE_URL=DB_URL, REDIS_URL=REDIS_URL, SECRET_KEY="bench-push-only",
             DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost", CELERY_TASK_ALWAYS_EAGER="1",
             PYTHONUNBUFFERED="1", SECURE_COOKIES="0")
    return e


# --- the data (a Django-configured subprocess) -------------------------------------------

def load(n: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from routing.models import Queue
    from tickets import actions
    from tickets.models import Category, SlaPolicy
    from tickets.roles import Role

    User = get_user_model()
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    users = User.objects.bulk_create(
        [User(username=f"bench_agent{i:04d}", first_name=f"坐席{i}") for i in range(n)]
        + [User(username="bench_reviewer"), User(username="bench_supervisor")])
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_update(users, ["password"])
    agents, reviewer, supervisor = users[:n], users[n], users[n + 1]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=groups[Role.AGENT].pk) for u in agents]
        + [User.groups.through(user_id=reviewer.pk, group_id=groups[Role.REVIEWER].pk),
           User.groups.through(user_id=supervisor.pk, group_id=groups[Role.SUPERVISOR].pk)])
    queue = Queue.objects.create(code="bench", name="压测队列", is_default=True)
    Queue.members.through.objects.bulk_create(
        [Queue.members.through(queue_id=queue.pk, user_id=u.pk) for u in agents])
    Category.objects.create(code="urge_delivery", name="催件", default_priority="P1")
    SlaPolicy.objects.create(name="P1", priority="P1", response_minutes=15, resolve_minutes=120)
    ticket = actions.check_create_ticket(user=supervisor, title="压测工单",
                                         category_code="urge_delivery",
                                         customer_phone="13800138000", queue_code="bench")
    actions.check_assign_ticket(user=supervisor, ticket_id=ticket.pk, assignee_id=agents[0].pk)
    actions.check_start_ticket(user=agents[0], ticket_id=ticket.pk)
    backend = settings.AUTHENTICATION_BACKENDS[0] if hasattr(
        settings, "AUTHENTICATION_BACKENDS") else "django.contrib.auth.backends.ModelBackend"
    sessions = []
    for user in agents:  # what django.contrib.auth.login stores
        store = SessionStore()
        store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({
        "ticket": ticket.pk, "queue": queue.pk, "sessions": sessions,
        "owner_token": Token.objects.create(user=agents[0]).key,
        "reviewer_token": Token.objects.create(user=reviewer).key}))


# --- servers ----------------------------------------------------------------------------

def free_ports(k: int) -> list[int]:
    ports = []
    for port in range(8100, 8200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == k:
            return ports
    raise SystemExit("no free ports in 8100-8199")


# The ASGI server of both nodes: uvicorn (uvloop, the websockets library) by default, as the
# README recommends for WebSockets in production; BENCH_PUSH_SERVER=daphne for `make run`'s.
SERVER = os.environ.get("BENCH_PUSH_SERVER", "uvicorn")


def start_daphne(port: int, log_path: Path):
    import http.client

    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_process_group
    if SERVER == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                   "--no-access-log", "--ws", "websockets", "config.asgi:application"]
    else:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                   "config.asgi:application"]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env(), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    proc._bench_log = log
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"daphne exited; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"daphne on {port} did not answer; see {log_path}")


# --- clients and measurement -------------------------------------------------------------

def post(port: int, path: str, token: str, body: dict) -> float:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("POST", path, body=json.dumps(body), headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"POST {path}: {response.status}")
    return time.perf_counter() - started


async def run_clients(data: dict, ports: list[int], rounds: int) -> dict:
    import websockets

    ticket = data["ticket"]
    received: dict[int, list] = {r: [] for r in range(-1, rounds)}
    current = {"round": -1, "change": None}
    per_node = dict.fromkeys(ports, 0)

    async def client(i: int, session: str, ready: asyncio.Event, hello_count: list):
        port = ports[i % len(ports)]
        async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/console/", origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={session}"},
                max_queue=None, ping_interval=None, open_timeout=60) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            per_node[port] += 1
            hello_count[0] += 1
            if hello_count[0] == len(data["sessions"]):
                ready.set()
            async for raw in ws:
                now, wall = time.perf_counter(), time.time()
                event = json.loads(raw)
                if event.get("id") == ticket and event.get("change") == current["change"]:
                    received[current["round"]].append((i, now, wall))
                if current["round"] == -2:
                    return

    ready, hello_count = asyncio.Event(), [0]
    tasks = []
    sessions = data["sessions"]
    connect_started = time.perf_counter()
    for start in range(0, len(sessions), 50):  # connect in batches: no SYN flood
        for i in range(start, min(start + 50, len(sessions))):
            tasks.append(asyncio.create_task(client(i, sessions[i], ready, hello_count)))
        await asyncio.sleep(0.2)
    await asyncio.wait_for(ready.wait(), 120)
    step(f"{len(sessions)} clients connected in {time.perf_counter() - connect_started:.1f} s "
         f"({', '.join(f'node :{p} {c}' for p, c in per_node.items())})")
    await asyncio.sleep(1.0)

    # One un-counted warm-up change (first request of each node's thread pool, query plans).
    current.update(round=-1, change="submit_review")
    await asyncio.to_thread(post, ports[0], f"/api/tickets/{ticket}/transitions/submit_review/",
                            data["owner_token"], {"note": "warm-up"})
    await asyncio.to_thread(post, ports[0], f"/api/tickets/{ticket}/transitions/reject/",
                            data["reviewer_token"], {"reason": "warm-up"})
    await asyncio.sleep(1.0)
    results = []
    for r in range(rounds):
        name, token = (("submit_review", data["owner_token"]) if r % 2 == 0
                       else ("reject", data["reviewer_token"]))
        current.update(round=r, change=name)
        sent = time.perf_counter()
        http_s = await asyncio.to_thread(post, ports[0], f"/api/tickets/{ticket}/transitions/"
                                         f"{name}/", token, {"note": "bench", "reason": "bench"})
        deadline = time.perf_counter() + 5
        while len(received[r]) < len(sessions) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        lat = sorted((t - sent) * 1000 for _i, t, _w in received[r])
        spread = [x - lat[0] for x in lat] if lat else []
        changed_at = await asyncio.to_thread(audit_time, ticket)
        after_change = sorted((w - changed_at) * 1000 for _i, _t, w in received[r])
        results.append({"round": r, "change": name, "received": len(lat),
                        "http_ms": http_s * 1000, "latencies": lat, "spread": spread,
                        "after_change": after_change})
        step(f"round {r + 1}/{rounds} {name}: {len(lat)}/{len(sessions)} clients, "
             f"HTTP {http_s * 1000:.0f} ms, p50 {pct(lat, 50):.0f} ms, "
             f"max {lat[-1] if lat else float('nan'):.0f} ms")
        await asyncio.sleep(0.5)
    current["round"] = -2
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"results": results, "per_node": per_node}


def audit_time(ticket_id: int) -> float:
    """When the change was made: the time of its audit row (written in the transaction, just
    before commit), as a Unix timestamp (same host, same clock)."""
    import psycopg2

    parts = urlsplit(DB_URL)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                            user=parts.username or "postgres", password=parts.password,
                            dbname=parts.path.lstrip("/"))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT created_at FROM tickets_ticketevent WHERE ticket_id = %s "
                           "AND kind = 'transition' ORDER BY id DESC LIMIT 1", [ticket_id])
            return cursor.fetchone()[0].timestamp()
    finally:
        conn.close()


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    if urlsplit(REDIS_URL).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the bench only talks to a local Redis")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.clients * 2 + 256  # this process's sockets, plus headroom for the nodes'
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    step(f"open files limit {soft} (need ~{need}); Redis {REDIS_URL}")
    if soft < need:
        raise SystemExit(f"raise `ulimit -n` to at least {need}")
    OUT.mkdir(parents=True, exist_ok=True)

    step(f"recreating {urlsplit(DB_URL).path.lstrip('/')} and migrating")
    recreate_database(DB_URL)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env=env(), check=True)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # stale groups of earlier runs
    step(f"loading {args.clients} agents with sessions, one queue, one ticket")
    done = subprocess.run([sys.executable, __file__, "_load", str(args.clients)], cwd=ROOT,
                          env=env(), check=True, capture_output=True, text=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])

    ports = free_ports(2)
    procs = []
    try:
        for port in ports:
            procs.append(start_daphne(port, OUT / f"push-daphne-{port}.log"))
        step(f"two daphne nodes on :{ports[0]} (requests) and :{ports[1]}")
        outcome = asyncio.run(run_clients(data, ports, args.rounds))
    finally:
        for proc in procs:
            stop_process_group(proc)

    results = outcome["results"]
    all_lat = sorted(x for r in results for x in r["latencies"])
    after = sorted(x for r in results for x in r["after_change"])
    expected = args.clients * args.rounds
    got = len(all_lat)
    p50, p99 = pct(after, 50), pct(after, 99)
    http = sorted(r["http_ms"] for r in results)
    spread = sorted(x for r in results for x in r["spread"])
    print()
    nodes = ", ".join(f":{p} {c}" for p, c in outcome["per_node"].items())
    print(f"clients: {args.clients} ({nodes}), status changes: {args.rounds}")
    print(f"deliveries: {got}/{expected} "
          f"(every client got every change: {'yes' if got == expected else 'NO'})")
    print(f"delivery latency after the change (its audit row, just before commit): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {after[-1] if after else float('nan'):.1f} ms")
    print(f"delivery latency from the HTTP request's start: p50 {pct(all_lat, 50):.1f} ms, "
          f"p99 {pct(all_lat, 99):.1f} ms")
    print(f"fan-out (after the first client of the change): p50 {pct(spread, 50):.1f} ms, "
          f"p99 {pct(spread, 99):.1f} ms")
    print(f"HTTP transition round trip: p50 {pct(http, 50):.1f} ms (the event is pushed at "
          f"commit, before the response; the machine may be shared)")
    print(f"load average (1/5/15 min) at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    ok = got == expected and p99 < TARGET_P99_MS
    print(f"target p99 < {TARGET_P99_MS:.0f} ms and all delivered: {'PASS' if ok else 'FAIL'}")
    (OUT / "push.json").write_text(json.dumps({
        "clients": args.clients, "rounds": args.rounds, "delivered": got, "expected": expected,
        "p50_ms": p50, "p99_ms": p99, "max_ms": after[-1] if after else None,
        "from_request_p50_ms": pct(all_lat, 50), "from_request_p99_ms": pct(all_lat, 99),
        "http_p50_ms": pct(http, 50), "fanout_p50_ms": pct(spread, 50),
        "fanout_p99_ms": pct(spread, 99), "per_node": outcome["per_node"]}, indent=2))
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_load":
        load(int(sys.argv[2]))
    else:
        sys.exit(main())
