"""Against real daphne processes: the console in Chromium, and two ASGI nodes sharing Redis.

The servers run on a database of their own (tests/console/servers.py): pytest-django's test
database lives in this process's transaction (or in memory) where a server cannot see it.
Screenshots go to var/screenshots/ (git-ignored).
"""

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from tests.console.e2e_seed import PASSWORD
from tests.console.servers import ROOT, World, login

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "var" / "screenshots"
needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                 reason="two nodes share events through Redis only")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("console-live"), "console_live")
    yield world
    world.stop()


def new_ticket(world, url, title):
    return world.api(url, "POST", "/api/tickets/", {
        "title": title, "category": "urge_delivery", "customer_phone": "13800138000",
        "customer_tags": ["vip"], "waybills": ["SF1409821733526"],
        "context": {"handoff": {"用户诉求": "快递三天没动了", "已触发": "意图 urge_delivery",
                                "补充信息": "运单 SF1409821733526"}}})


@needs_redis
def test_an_event_raised_on_one_node_reaches_a_console_on_the_other(world):
    import websockets

    node_a = world.urls()[0] if world.urls() else world.start_node()
    node_b = world.urls()[1] if len(world.urls()) > 1 else world.start_node()
    session = login(node_a, "agent01", PASSWORD)

    async def scenario():
        async with websockets.connect(
                node_a.replace("http", "ws") + "/ws/console/", origin=node_a,
                additional_headers={"Cookie": f"sessionid={session}"}) as socket:
            hello = json.loads(await asyncio.wait_for(socket.recv(), 5))
            assert hello["type"] == "hello"
            created = await asyncio.to_thread(new_ticket, world, node_b, "跨节点测试件")
            seen = []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any(
                    e.get("id") == created["id"] and e.get("change") == "assign" for e in seen):
                seen.append(json.loads(await asyncio.wait_for(socket.recv(), 5)))
            changes = [(e["change"], e["owner_id"]) for e in seen if e.get("id") == created["id"]]
            # created in the agent's queue on node B, routed to the agent: both reach node A
            assert ("created", None) in changes
            assert ("assign", world.seeded["agent"]) in changes

    asyncio.run(scenario())


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_agent_and_reviewer_work_live_in_the_browser(world):
    from playwright.sync_api import expect, sync_playwright

    urls = world.urls() or [world.start_node()]
    if os.environ.get("REDIS_URL") and len(urls) < 2:
        urls = [urls[0], world.start_node()]
    agent_url, other_url = urls[0], urls[-1]  # two nodes with Redis: the reviewer on node B
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            def sign_in(url, username, path):
                context = browser.new_context(viewport={"width": 1440, "height": 900},
                                              locale="zh-CN")
                page = context.new_page()
                page.goto(f"{url}{path}")
                assert "/console/login/" in page.url  # not signed in: the login page first
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button.primary")
                page.wait_for_url(f"{url}{path}")
                expect(page.locator("body")).to_have_attribute("data-live", "on",
                                                               timeout=10_000)
                return page

            agent = sign_in(agent_url, "agent01", "/console/")
            reviewer = sign_in(other_url, "reviewer01", "/console/review/")
            expect(agent.locator("h2").first).to_have_text("我的工单")
            agent.evaluate("window.__notReloaded = true")

            created = new_ticket(world, other_url, "快递在杭州中转场三天没动")
            number = created["number"]
            row = agent.locator('[data-panel="my_tickets"] tr', has_text=number)
            expect(row).to_be_visible(timeout=10_000)  # routed to agent01, pushed, no reload
            assert agent.evaluate("window.__notReloaded") is True
            expect(agent.locator(".toast", has_text=number).first).to_be_visible()
            agent.screenshot(path=SHOTS / "console-agent-home-live.png", full_page=True)

            row.locator("a").first.click()
            agent.wait_for_url(f"{agent_url}/console/tickets/{created['id']}/")
            expect(agent.locator(".handoff")).to_contain_text("快递三天没动了")
            expect(agent.locator(".col-left")).to_contain_text("138****8000")
            agent.click('button[data-action="start"]')
            expect(agent.locator("#ticket-status")).to_have_text("处理中")
            expect(agent.locator("body")).to_have_attribute("data-live", "on")
            form = agent.locator("form.action-submit_review")
            form.locator("textarea").fill("已联系杭州中转场，包裹今日发出，明日送达")
            form.locator('button[data-action="submit_review"]').click()
            expect(agent.locator("#ticket-status")).to_have_text("待审核")
            agent.screenshot(path=SHOTS / "console-ticket-submitted.png", full_page=True)

            item = reviewer.locator('[data-panel="review"] .review-item', has_text=number)
            expect(item).to_be_visible(timeout=10_000)  # live on the reviewer's console
            expect(item).to_contain_text("已联系杭州中转场")
            reviewer.screenshot(path=SHOTS / "console-review-live.png", full_page=True)

            item.locator('button[data-action="approve"]').click()
            expect(reviewer.locator(".msg.success")).to_be_visible()
            # the agent's open ticket page follows without a reload
            expect(agent.locator("#ticket-status")).to_have_text("已关闭", timeout=10_000)
            agent.screenshot(path=SHOTS / "console-ticket-closed-live.png", full_page=True)
        finally:
            browser.close()
