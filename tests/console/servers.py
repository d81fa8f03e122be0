"""Real ASGI server processes for the browser and multi-node tests: a database of their own
(a SQLite file, or a fresh PostgreSQL database next to DATABASE_URL's), daphne on free ports of
8100-8199, the configured Redis shared by the nodes."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8100, 8200)


def free_port(taken=()) -> int:
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                            user=parts.username or "postgres", password=parts.password,
                            dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


class World:
    """migrate + seed a private database; start/stop daphne nodes against it."""

    def __init__(self, tmp: Path, name: str):
        self.tmp, self.procs, self.logs = tmp, [], []
        base = os.environ.get("DATABASE_URL", "")
        self.pg_name = None
        if base.startswith("postgres"):
            parts = urlsplit(base)
            self.pg_name = f"{parts.path.lstrip('/') or 'parceldesk'}_{name}"
            self.db_url = urlunsplit(parts._replace(path=f"/{self.pg_name}"))
            _pg_admin(base, f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)',
                      f'CREATE DATABASE "{self.pg_name}"')
        else:
            self.db_url = f"sqlite:///{tmp / (name + '.sqlite3')}"
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "DEBUG": "1",
                    "SECRET_KEY": os.environ.get("SECRET_KEY", "e2e-only"),
                    "CELERY_TASK_ALWAYS_EAGER": "1", "PYTHONUNBUFFERED": "1",
                    "MEDIA_ROOT": str(tmp / "media")}
        self.manage("migrate", "--noinput", "-v0")
        out = self.manage("shell", "-c", "from tests.console.e2e_seed import seed; seed()")
        self.seeded = json.loads(out.strip().splitlines()[-1])

    def manage(self, *args) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start_node(self) -> str:
        port = free_port({int(u.rsplit(":", 1)[1]) for u in self.urls()})
        log = open(self.tmp / f"daphne-{port}.log", "w")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"], cwd=ROOT, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        proc.url = f"http://127.0.0.1:{port}"
        self.procs.append(proc)
        self.logs.append(log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                log_text = (self.tmp / f"daphne-{port}.log").read_text()
                raise RuntimeError(f"daphne exited: {log_text}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return proc.url
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("daphne did not answer /healthz within 60 s")

    def urls(self) -> list[str]:
        return [p.url for p in self.procs]

    def api(self, url: str, method: str, path: str, body: dict | None = None) -> dict:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Token {self.seeded['token']}",
                              "Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read() or b"{}")
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data}")
        return data

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        for log in self.logs:
            log.close()
        if self.pg_name:
            _pg_admin(os.environ["DATABASE_URL"],
                      f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def login(url: str, username: str, password: str) -> str:
    """Signs in through the console's login form; returns the session cookie's value."""
    import re
    from http.cookies import SimpleCookie

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/console/login/")
    response = conn.getresponse()
    html = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    csrf = cookies["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    from urllib.parse import urlencode

    conn.request("POST", "/console/login/", body=urlencode({
        "username": username, "password": password, "csrfmiddlewaretoken": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": f"csrftoken={csrf}", "Referer": f"{url}/console/login/"})
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login of {username} failed: {response.status}")
    return cookies["sessionid"].value
