"""Knowledge-base latency (issue #10): article search over 2,000 articles and agent-assist
suggestions with 100,000 closed tickets.

With DATABASE_URL set (PostgreSQL), the bench works in its own database named after it with
the suffix `_bench_kb` (dropped and recreated); without, in a SQLite file under bench/out/.
Loads the demo knowledge base plus synthetic articles (variations of the demo ones), bulk-loads
closed tickets with resolutions and digests them (`index_closed_tickets`), then measures
in-process, single client:
  - search engine (knowledge.selectors.search_hits) and GET /api/kb/search/ through the
    Django test client (auth, DRF, JSON), on colloquial questions from eval_kb.tsv;
  - GET /api/tickets/{id}/suggestions/ on random tickets.
Targets: search p99 < 30 ms, suggestions p99 < 100 ms.

    .venv/bin/python bench/kb.py [--articles 2000] [--tickets 100000] [--requests 500]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, step  # noqa: E402

CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆",
          "乌鲁木齐", "拉萨", "哈尔滨", "昆明", "厦门"]
TICKET_TEXTS = {
    "fee_dispute": ["称重多收运费{n}元", "偏远附加费疑问", "到付金额不对", "体积重收费太高",
                    "运费扣了两次", "保价费被多收"],
    "lost_parcel": ["包裹在{city}中转后丢失", "快递丢件要求赔偿", "显示派送中但找不到了",
                    "中转场没有扫描记录"],
    "urge_delivery": ["{city}转运中心停滞{n}天", "催件：超时未派送", "生鲜快递延误要求加急",
                      "国际件清关太久"],
    "damaged_parcel": ["外包装破损内物摔碎", "生鲜变质要求理赔", "玻璃杯碎了{n}个",
                       "手机屏幕压坏"],
    "complaint_service": ["快递员不送上门放驿站", "驿站态度差", "快递员电话不接",
                          "未经同意放快递柜"],
    "change_delivery": ["改地址到{city}", "改约明天送", "改为驿站自提", "收件电话写错"],
}
RESOLUTIONS = ["调取称重照片确认多收，已退差价{n}元", "联系网点核实后已重新派送",
               "已按保价赔付{n}00元", "已解释附加费标准，客户认可", "中转场找到包裹，次日送达",
               "已对快递员批评教育并补偿{n}元券", "按丢件标准赔付运费三倍", "清关完成后加急派送"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def figures(name, samples_ms):
    print(f"{name:<44} n={len(samples_ms):<5} p50={statistics.median(samples_ms):7.2f} ms  "
          f"p99={pct(samples_ms, 99):7.2f} ms  max={max(samples_ms):7.2f} ms", flush=True)


def setup_database(env):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        bench = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench_kb"))
        recreate_database(bench)
        env["DATABASE_URL"] = bench
    else:
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        db = out / "kb.sqlite3"
        db.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    return env["DATABASE_URL"]


def load_articles(total):
    from knowledge import actions
    from knowledge.data.articles import ARTICLES
    from knowledge.demo import seed_knowledge
    from knowledge.models import Article, KbCategory
    from knowledge.search import plain_text
    from knowledge.text import token_string

    seed_knowledge()
    rng = random.Random(1)
    categories = {c.code: c for c in KbCategory.objects.all()}
    rows = []
    for i in range(total - Article.objects.count()):
        spec = rng.choice(ARTICLES)
        city = rng.choice(CITIES)
        title = f"{city}{spec['title']}（{i}）"
        body = spec["body"].replace("驿站", f"{city}驿站") + f"\n\n本说明适用于{city}地区网点 {i}。"
        keywords = [*spec["keywords"], city]
        rows.append(Article(
            slug=f"bench-{i}", title=title, summary=spec["summary"], body=body,
            category=categories[spec["category"]], audience=spec["audience"],
            keywords=keywords, synonyms=spec["synonyms"], status="published",
            body_html=actions.render_markdown(body), search_title=token_string(title),
            search_keywords=token_string(" ".join([*keywords, *spec["synonyms"]])),
            search_body=token_string(f"{spec['summary']}\n{plain_text(body)}")))
    Article.objects.bulk_create(rows, batch_size=500)
    from django.db import transaction

    with transaction.atomic():
        actions.bump_revision()
    return Article.objects.count()


def load_tickets(total):
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from tests.factories import CategoryFactory
    from tickets.models import Ticket, TicketEvent
    from tickets.roles import system_user

    user = system_user()
    categories = {code: CategoryFactory(code=code, name=code) for code in TICKET_TEXTS}
    rng = random.Random(2)
    now = timezone.now()
    batch = 5000
    for start in range(0, total, batch):
        tickets, texts = [], []
        for i in range(start, min(total, start + batch)):
            code = rng.choice(list(TICKET_TEXTS))
            text = rng.choice(TICKET_TEXTS[code]).format(city=rng.choice(CITIES),
                                                         n=rng.randint(1, 9))
            closed = now - timedelta(minutes=i * 3 + rng.randint(0, 2))
            tickets.append(Ticket(
                number=f"TK{closed:%Y%m%d}{i:06d}", title=text, description=f"客户反映：{text}",
                category=categories[code], status="closed", priority=rng.choice("0123") and
                rng.choice(["P1", "P2", "P3"]), created_at=closed - timedelta(hours=5),
                resolved_at=closed - timedelta(hours=1), closed_at=closed,
                tags=rng.sample(["fresh", "valuable", "international", "vip"], k=rng.randint(0, 1)),
                context={"shipment": {"status": rng.choice(["in_transit", "delivered",
                                                            "arrived_at_hub", "customs"])}}))
            texts.append(rng.choice(RESOLUTIONS).format(n=rng.randint(1, 9)))
        with transaction.atomic():
            created = Ticket.objects.bulk_create(tickets, batch_size=1000)
            TicketEvent.objects.bulk_create(
                [TicketEvent(ticket=t, kind="transition", actor=user, from_status="processing",
                             to_status="review", note=note, created_at=t.resolved_at)
                 for t, note in zip(created, texts, strict=True)], batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    env = {**os.environ, "SECRET_KEY": "bench", "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    step("database")
    url = setup_database(env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from knowledge import search, selectors
    from knowledge.assist import do_index_closed_tickets
    from knowledge.models import TicketDigest
    from tests.factories import UserFactory
    from tickets.models import Ticket

    print(f"database: {url.split('@')[-1]}")
    step(f"articles → {args.articles}")
    articles = load_articles(args.articles)
    step(f"closed tickets → {args.tickets}")
    load_tickets(args.tickets)
    t0 = time.perf_counter()
    digested = do_index_closed_tickets()
    step(f"digested {digested} closed tickets in {time.perf_counter() - t0:.1f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a bulk load
            cursor.execute("ANALYZE")
    for role in ("supervisor", "customer"):
        Group.objects.get_or_create(name=role)
    supervisor = UserFactory(username="bench_supervisor", roles=["supervisor"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=supervisor)}")

    questions = [line.split("\t")[0] for line in
                 (ROOT / "knowledge" / "data" / "eval_kb.tsv").read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
    t0 = time.perf_counter()
    search.reset()
    search.index()
    print(f"articles: {articles}; index build {1000 * (time.perf_counter() - t0):.0f} ms "
          f"(once per process and per change)")
    rng = random.Random(3)
    engine, api = [], []
    for q in [*questions[:20], *questions[:20]][:20]:  # warm-up: caches, first connections
        selectors.search_hits(q, audiences=("customer",), limit=10)
        client.get("/api/kb/search/", {"q": q, "audience": "customer"})
    for _ in range(args.requests):
        q = rng.choice(questions)
        t = time.perf_counter()
        selectors.search_hits(q, audiences=("customer",), limit=10)
        engine.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        response = client.get("/api/kb/search/", {"q": q, "audience": "customer"})
        api.append(1000 * (time.perf_counter() - t))
        assert response.status_code == 200, response.content
    figures("search engine (incl. revision check)", engine)
    figures("GET /api/kb/search/ (in-process)", api)

    ids = list(Ticket.objects.filter(status="closed").order_by("?")
               .values_list("id", flat=True)[:args.requests])
    client.get(f"/api/tickets/{ids[0]}/suggestions/")
    samples = []
    for ticket_id in ids:
        t = time.perf_counter()
        response = client.get(f"/api/tickets/{ticket_id}/suggestions/")
        samples.append(1000 * (time.perf_counter() - t))
        assert response.status_code == 200, response.content
    print(f"closed tickets: {Ticket.objects.filter(status='closed').count()}, "
          f"digests: {TicketDigest.objects.count()}")
    figures("GET /api/tickets/{id}/suggestions/", samples)


if __name__ == "__main__":
    main()
