"""Chat turn latency, throughput and memory on one process (issue #5).

Runs real turns through chatbot.actions.check_post_message — NLU, dialogue, database writes,
tickets created where the dialogue opens one — on PostgreSQL (database parceldesk_bench_chat,
recreated; BENCH_DATABASE_URL overrides) with the demo data (seed_demo: customers, shipments
incl. a storm-stalled hub). Prints p50/p99 per turn, turns/s, and resident memory with the
models loaded. Targets: p99 < 50 ms, < 600 MB.

    .venv/bin/python bench/chat.py [--turns 600]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parceldesk_bench_chat")
MESSAGES = [
    "我的快递到哪了", "帮我查下快递", "尾号3526那个", "SF1409821733526到哪了",
    "我的快递怎么卡在杭州中转场3天了", "能帮我催一下吗", "你好", "谢谢",
    "显示已签收但我没收到", "运费怎么多收了20元", "请改送到朝阳区望京SOHO T3 1502，明天下午送",
    "我的工单处理到哪了", "大闸蟹到了全死了", "照片已上传，价值300元", "转人工",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--by-message", action="store_true", help="median/max per message")
    args = parser.parse_args()
    # As in production: Celery tasks (routing, notifications) are queued to Redis, not run in
    # the request; nothing consumes them here (database 12 is flushed first).
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    env = {**os.environ, "DATABASE_URL": DB, "SECRET_KEY": "bench", "DEBUG": "1",
           "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING"}
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    name = DB.rsplit("/", 1)[1]
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                    f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True)
    for command in (["migrate", "-v0"], ["seed_demo"], ["train_nlu", "--if-missing"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from chatbot.actions import check_post_message, do_start_conversation
    from chatbot.nlu.pipeline import understand
    from tickets.models import Customer

    understand("你好")  # load the models before measuring
    customers = list(Customer.objects.filter(phone__startswith="1380000000")[:10])
    latencies = []
    by_message: dict[str, list[float]] = {}
    conversation = None
    started = time.perf_counter()
    for index in range(args.turns):
        if index % len(MESSAGES) == 0:
            conversation = do_start_conversation(customer=customers[index % len(customers)])
        t0 = time.perf_counter()
        check_post_message(conversation=conversation, text=MESSAGES[index % len(MESSAGES)])
        latencies.append((time.perf_counter() - t0) * 1000)
        by_message.setdefault(MESSAGES[index % len(MESSAGES)], []).append(latencies[-1])
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"chat bench (PostgreSQL, one process, {args.turns} turns, {len(MESSAGES)}-turn scripts)")
    print(f"turn latency  p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {latencies[-1]:.1f} ms")
    print(f"throughput    {args.turns / elapsed:.1f} turns/s")
    print(f"memory        {rss:.0f} MB max resident (models loaded)")
    if "--by-message" in sys.argv:
        for text, values in sorted(by_message.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {statistics.median(values):7.1f} ms  {max(values):7.1f} ms  {text}")
    print(f"targets: p99 < 50 ms {'PASS' if p99 < 50 else 'FAIL'}, "
          f"< 600 MB {'PASS' if rss < 600 else 'FAIL'}")


if __name__ == "__main__":
    main()
