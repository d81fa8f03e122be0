"""/station/ in Chromium at a phone's viewport, against a real daphne process: station staff
answer a task with a photo; the owner agent's console socket gets the answer live and the
ticket's events API shows it. Screenshots go to var/screenshots/ (git-ignored)."""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.stations.e2e_seed import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "var" / "screenshots"
PORTS = range(8500, 8600)  # this area's range
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8500-8599")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("station-live")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "DEBUG": "1",
           "SECRET_KEY": "e2e-only", "CELERY_TASK_ALWAYS_EAGER": "1", "PYTHONUNBUFFERED": "1",
           "MEDIA_ROOT": str(tmp / "media")}
    env.pop("REDIS_URL", None)  # one process: the in-memory layer carries the push

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    seeded = json.loads(manage("shell", "-c", "from tests.stations.e2e_seed import seed; "
                                              "seed()").strip().splitlines()[-1])
    port = _free_port()
    log = open(tmp / "daphne.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                             "config.asgi:application"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, (tmp / "daphne.log").read_text()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "daphne did not start"
            time.sleep(0.3)
        yield {"url": f"http://127.0.0.1:{port}", **seeded}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


def _login(page, url, path, username):
    page.goto(f"{url}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button").first.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_station_answers_with_a_photo_and_the_agent_sees_it_live(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "pod.png"
    photo.write_bytes(PNG)
    url = server["url"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            # The owner agent's console socket, collecting what it is pushed.
            agent = browser.new_context(viewport={"width": 1280, "height": 800})
            agent_page = agent.new_page()
            _login(agent_page, url, "/console/login/", "agent01")
            agent_page.evaluate("""() => new Promise((resolve) => {
                window.__events = [];
                const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws/console/');
                ws.onmessage = (m) => { const e = JSON.parse(m.data); window.__events.push(e);
                                        if (e.type === 'hello') resolve(); };
            })""")

            phone = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="zh-CN")
            page = phone.new_page()
            page.goto(f"{url}/station/")
            expect(page).to_have_url(f"{url}/station/login/?next=/station/")
            page.screenshot(path=SHOTS / "station-1-login.png", full_page=True)
            _login(page, url, "/station/login/", "station01")
            expect(page.locator("h1")).to_have_text("杭州西湖文三路网点")
            card = page.locator(f'a.task[data-task="{server["task"]}"]')
            expect(card).to_contain_text("网点核实")
            page.screenshot(path=SHOTS / "station-2-list.png", full_page=True)
            # nothing overflows sideways at a phone's width
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            card.click()
            expect(page.locator("legend").first).to_have_text("结果")
            page.screenshot(path=SHOTS / "station-3-task.png", full_page=True)
            page.get_by_label("已放入快递柜/驿站").check()
            page.fill("#note", "已放入丰巢柜 A12，取件码已发")
            page.set_input_files("#photo", str(photo))
            page.get_by_role("button", name="提交反馈").click()
            expect(page.locator(".ok")).to_contain_text("反馈已提交")
            page.screenshot(path=SHOTS / "station-4-answered.png", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            # live on the owner agent's console socket
            agent_page.wait_for_function(
                "() => window.__events.some(e => e.change === 'station_reply')", timeout=10000)
            pushed = agent_page.evaluate(
                "() => window.__events.find(e => e.change === 'station_reply')")
            assert pushed["id"] == server["ticket"]
            assert pushed["station_reply"]["result"] == "delivered_to_locker"
            assert pushed["station_reply"]["note"] == "已放入丰巢柜 A12，取件码已发"
            # and in the ticket's events API
            events = agent_page.request.get(
                f"{url}/api/tickets/{server['ticket']}/events/").json()
            events = events.get("results", events) if isinstance(events, dict) else events
            reply = [e for e in events if e["kind"] == "station_reply"]
            assert reply and reply[0]["data"]["result"] == "delivered_to_locker"
            assert reply[0]["data"]["attachment_id"]
            # the agent's console page itself, after the push (what it shows is H1's console)
            agent_page.goto(f"{url}/console/")
            agent_page.screenshot(path=SHOTS / "station-5-console.png")

            # The station's list follows live: the desk sends another task, the list shows it.
            page.goto(f"{url}/station/")
            page.wait_for_timeout(500)  # the page's /ws/station/ socket connects
            csrf = next(c["value"] for c in agent.cookies() if c["name"] == "csrftoken")
            sent = agent_page.request.post(
                f"{url}/api/tickets/{server['ticket']}/station-tasks/",
                data={"kind": "pod_photo", "note": "请补一张派件照片"},
                headers={"X-CSRFToken": csrf, "Referer": f"{url}/console/"})
            assert sent.status == 201, sent.text()
            expect(page.locator(f'a.task[data-task="{sent.json()["id"]}"]')).to_contain_text(
                "派件照片", timeout=10000)
            page.screenshot(path=SHOTS / "station-6-live.png", full_page=True)

            # The recipient's page behind the SMS link, on a phone: corrects the address.
            recipient = phone.new_page()
            recipient.goto(f"{url}/station/answer/{server['token']}/")
            expect(recipient.locator("h1")).to_have_text("派送地址核实")
            recipient.screenshot(path=SHOTS / "station-7-recipient.png", full_page=True)
            recipient.get_by_label("更正地址", exact=True).check()
            recipient.fill("#new_address", "文三路 388 号 2 单元 501")
            recipient.get_by_role("button", name="发送").click()
            expect(recipient.locator(".ok")).to_contain_text("已收到您的答复")
            assert recipient.evaluate("document.documentElement.scrollWidth") <= 390
            # the courier's task for it is answered with the corrected address
            page.close()  # its live list reloads on that answer
            detail = phone.new_page()
            detail.goto(f"{url}/station/tasks/{server['check_task']}/")
            expect(detail.locator("main")).to_contain_text("文三路 388 号 2 单元 501")
            expect(detail.locator("main")).to_contain_text("地址已更正")
            detail.screenshot(path=SHOTS / "station-8-check-answered.png", full_page=True)
        finally:
            browser.close()
