"""Helpers shared by the bench scripts (run as `python bench/<name>.py`)."""

import time
from urllib.parse import urlsplit


def step(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def recreate_database(db_url: str) -> None:
    """Drops and creates the bench's own database on a local PostgreSQL."""
    import psycopg2

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the bench only talks to a local PostgreSQL (127.0.0.1)")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                             user=parts.username or "postgres", password=parts.password,
                             dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def start_gunicorn(env: dict, port: int, log_path, *, python: str, root, workers: int = 2):
    """gunicorn with sync workers on 127.0.0.1:port in its own session, once /healthz answers."""
    import http.client
    import subprocess

    log = open(log_path, "w")  # noqa: SIM115 - closed in stop_process_group
    proc = subprocess.Popen(
        [python, "-m", "gunicorn", "config.wsgi:application", "-w", str(workers), "-k", "sync",
         "-b", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
         "--error-logfile", "-"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc._bench_log = log
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz in 30 s; see {log_path}")


def stop_process_group(proc) -> None:
    """SIGTERM the process's whole session (gunicorn master and workers), then SIGKILL."""
    import os
    import signal
    import subprocess

    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    finally:
        log = getattr(proc, "_bench_log", None)
        if log:
            log.close()


def collect_load_results(results, workers, deadline: float) -> list[dict]:
    """The result dict each load-client process puts on `results`, until all have reported or
    `deadline` (time.time()) passes; then every client process is reaped."""
    collected = []
    while len(collected) < len(workers) and time.time() < deadline:
        try:
            collected.append(results.get(timeout=1))
        except Exception:  # queue.Empty
            if not any(w.is_alive() for w in workers) and results.empty():
                break
    for w in workers:
        w.join(timeout=5)
        if w.is_alive():
            w.terminate()
    return collected


def sum_load_results(collected: list[dict], clients: int) -> dict:
    """Totals over the clients' results; a client that never reported counts as an error."""
    statuses: dict[str, int] = {}
    for r in collected:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {"requests_ok": sum(r["ok"] for r in collected),
            "errors": sum(r["errors"] for r in collected) + (clients - len(collected)),
            "error_statuses": statuses,
            "first_error": next((r["first_error"] for r in collected if r["first_error"]), None)}
