"""Bulk import of tracking events from JSON lines (import_tracking).

One line: {"tracking_number", "carrier", "time" (ISO 8601 with offset), "status" (normalised),
"location", "description", "source"} (+ optional "source_code", "exception_reason").

PostgreSQL, per chunk, in one transaction:
1. COPY (psycopg2 copy_expert) one snapshot row per shipment into a temporary table and
   upsert the shipments from it (INSERT … ON CONFLICT DO UPDATE … WHERE newer: a shipment's
   status is its latest event by time, whatever order the lines come in);
2. events of shipments that already existed: COPY into a temporary table, then
   INSERT … SELECT … ON CONFLICT DO NOTHING — the same event key as every other path, so
   re-imports and overlaps with pushes are no-ops;
3. events of shipments the upsert has just created: COPY straight into the events table.
   Nothing can conflict there (no other transaction sees the new ids before the commit, and
   duplicates within the chunk were dropped), so the per-row conflict probe is skipped.
A reader thread parses, validates and keys chunk n+1 while PostgreSQL works on chunk n.
Elsewhere (SQLite): the same steps with large executemany batches. Each chunk commits on its
own; a re-run after a crash resumes idempotently.
"""

import gc
import io
import multiprocessing as mp
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import md5
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from logistics.actions.derive import refresh_derived
from logistics.adapters.base import SHANGHAI, STATUSES
from logistics.carriers import detect_carrier, normalize_waybill
from logistics.choices import FINAL_STATUSES
from logistics.models import Shipment, TrackingEvent

try:  # orjson parses a line four times faster than json, and takes bytes as they are read
    from orjson import JSONDecodeError as _JSONError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is in requirements.txt
    from json import JSONDecodeError as _JSONError
    from json import loads as _loads

_STATUSES = frozenset(STATUSES)
_NOW = object()
_MAX_ERRORS_KEPT = 20


@dataclass
class ImportSummary:
    lines: int = 0
    events_new: int = 0
    duplicates: int = 0
    shipments_created: int = 0
    shipments_updated: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    backend: str = ""
    seconds: float = 0.0

    def reject(self, line_no: int, why: str) -> None:
        self.rejected += 1
        if len(self.errors) < _MAX_ERRORS_KEPT:
            self.errors.append(f"line {line_no}: {why}")


class Row(NamedTuple):
    number: str
    carrier: str
    time: datetime
    time_text: str  # ISO 8601 with offset, as COPY hands it to PostgreSQL
    status: str
    location: str
    description: str
    source_code: str
    exception_reason: str
    source: str
    key: str


def parse_line(text: bytes | str) -> Row:
    """One JSON line → Row; ValueError with a short reason when it is not acceptable.

    Hot path (hundreds of thousands of lines): plain str methods before regular expressions.
    """
    try:
        obj = _loads(text)
    except (_JSONError, ValueError, TypeError):
        raise ValueError("not JSON") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    number = obj.get("tracking_number")
    if not (isinstance(number, str) and number.isascii() and number.isalnum()
            and number.isupper() and len(number) <= 40):
        number = normalize_waybill(number)
        if not number or len(number) > 40:
            raise ValueError("tracking_number missing or too long")
    status = obj.get("status")
    if status not in _STATUSES:
        raise ValueError(f"unknown status {status!r}")
    raw_time = obj.get("time")
    try:
        when = datetime.fromisoformat(raw_time)
    except (TypeError, ValueError):
        raise ValueError(f"unparseable time {raw_time!r}") from None
    if when.tzinfo is None:  # like the adapters: a time without offset is Shanghai time
        when = when.replace(tzinfo=SHANGHAI)
        raw_time = when.isoformat()
    description = obj.get("description") or ""
    location = obj.get("location") or ""
    carrier = obj.get("carrier") or detect_carrier(number) or ""
    if not isinstance(description, str):
        description = str(description)
    if not isinstance(location, str):
        location = str(location)
    # the key as logistics.actions.common.event_key computes it, inlined for speed
    return Row(number, str(carrier)[:20], when, raw_time, status, location[:200], description,
               str(obj.get("source_code") or "")[:40],
               str(obj.get("exception_reason") or "")[:20],
               str(obj.get("source") or "import")[:20],
               md5(f"{int(when.timestamp())}|{status}|{description}".encode()).hexdigest())


def _chunks(lines: Iterable[bytes | str], size: int, summary: ImportSummary):
    batch: list[Row] = []
    consumed = 0
    for line_no, line in enumerate(lines, start=1):
        consumed += len(line)
        if not line.strip():
            continue
        summary.lines += 1
        try:
            batch.append(parse_line(line))
        except ValueError as exc:
            summary.reject(line_no, str(exc))
        if len(batch) >= size:
            yield batch, consumed
            batch, consumed = [], 0
    if batch or consumed:
        yield batch, consumed


# --------------------------------------------------------------------------- PostgreSQL

_TEMP = """
CREATE TEMPORARY TABLE IF NOT EXISTS logistics_import_rows (
    tracking_number text, time timestamptz, status text, location text, description text,
    source_code text, exception_reason text, source text, event_key text);
CREATE TEMPORARY TABLE IF NOT EXISTS logistics_import_shipments (
    tracking_number text, carrier text, source text, time timestamptz, status text,
    location text, description text);
TRUNCATE logistics_import_rows, logistics_import_shipments"""
_ROW_COLUMNS = ("tracking_number, time, status, location, description, source_code, "
                "exception_reason, source, event_key")
_DIRECT_COLUMNS = ("shipment_id, time, status, location, description, source_code, "
                   "exception_reason, source, event_key, created_at")
_SHIPMENT_COLUMNS = "tracking_number, carrier, source, time, status, location, description"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _esc(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _pg_chunks(lines: Iterable[bytes | str], size: int, summary: ImportSummary):
    """Reader-thread work for PostgreSQL, so the database thread only glues blocks together.

    Per chunk: one snapshot row per shipment (its latest event in the chunk) as COPY text,
    and per shipment its distinct events as two COPY blocks — for the events table, with
    `\x00` standing for the shipment id (known after the upsert), and for the temporary
    table, keyed by number. Lines of the documented shape take an inlined fast path (the
    same checks as parse_line); anything else goes through parse_line for the exact reason.
    """
    loads, fromiso, statuses = _loads, datetime.fromisoformat, _STATUSES
    epoch, second = datetime(1970, 1, 1, tzinfo=UTC), timedelta(seconds=1)
    seen: set[str] = set()
    latest: dict[str, tuple] = {}
    carriers: dict[str, str] = {}
    tails: dict[str, list[str]] = {}
    count = consumed = 0
    stamp = timezone.now().isoformat()
    limit = min(size, 2000)  # a small first chunk: the database starts working sooner
    for line_no, line in enumerate(lines, start=1):
        consumed += len(line)
        try:
            obj = loads(line)
            number, status, time_text = obj["tracking_number"], obj["status"], obj["time"]
            when = fromiso(time_text)
            get = obj.get
            description = get("description") or ""
            location = get("location") or ""
            carrier = get("carrier") or ""
            source = get("source") or "import"
            code = get("source_code") or ""
            reason = get("exception_reason") or ""
            if (status not in statuses or when.tzinfo is None or type(number) is not str
                    or not (number.isascii() and number.isalnum() and number.isupper())
                    or type(description) is not str or type(location) is not str
                    or type(carrier) is not str or type(source) is not str
                    or type(code) is not str or type(reason) is not str
                    or len(number) > 40 or len(location) > 200 or not 0 < len(carrier) <= 20
                    or len(source) > 20 or len(code) > 40 or len(reason) > 20
                    or "\\" in time_text):
                raise ValueError
            # (when - epoch) // 1 s == int(when.timestamp()) for aware times after 1970, at
            # a third of the cost
            key = md5(f"{(when - epoch) // second}|{status}|{description}".encode()).hexdigest()
        except Exception:  # not the plain shape: the general parser decides
            if not line.strip():
                continue
            summary.lines += 1
            try:
                row = parse_line(line)
            except ValueError as exc:
                summary.reject(line_no, str(exc))
                continue
            (number, carrier, when, time_text, status, location, description, code, reason,
             source, key) = row
        else:
            summary.lines += 1
        count += 1
        if number + key in seen:
            continue
        seen.add(number + key)
        last = latest.get(number)
        if last is None:
            latest[number] = (when, time_text, status, location, description, source)
            tails[number] = []
        elif when >= last[0]:
            latest[number] = (when, time_text, status, location, description, source)
        if carrier and number not in carriers:
            carriers[number] = carrier
        if "\\" in location or "\t" in location or "\n" in location or "\r" in location:
            location = location.translate(_ESCAPES)
        if ("\\" in description or "\t" in description or "\n" in description
                or "\r" in description):
            description = description.translate(_ESCAPES)
        tails[number].append(f"{time_text}\t{status}\t{location}\t{description}\t{code}\t"
                             f"{reason}\t{source}\t{key}")
        if count >= limit:
            yield _pg_chunk(latest, carriers, tails, stamp), count, consumed
            seen, latest, carriers, tails = set(), {}, {}, {}
            count = consumed = 0
            limit = size
            stamp = timezone.now().isoformat()
    if count or consumed:
        yield _pg_chunk(latest, carriers, tails, stamp), count, consumed


def _pg_chunk(latest, carriers, tails, stamp) -> tuple[bytes, dict[str, tuple[str, str]]]:
    ships = [f"{n}\t{carriers.get(n, '')}\t{source}\t{time_text}\t{status}\t"
             f"{_esc(location)}\t{_esc(description)}\n"
             for n, (_, time_text, status, location, description, source)
             in sorted(latest.items())]
    blocks = {n: ("".join(f"\x00\t{t}\t{stamp}\n" for t in ts),
                  "".join(f"{n}\t{t}\n" for t in ts)) for n, ts in tails.items()}
    return "".join(ships).encode(), blocks


_SNAPSHOT = {"status": "r.status", "last_event_at": "r.time", "last_location": "r.location",
             "last_description": "r.description", "tracking_number": "r.tracking_number",
             "carrier": "r.carrier", "source": "r.source"}


def _shipment_upsert_sql() -> tuple[str, list]:
    """New shipments are inserted with their latest event as the snapshot; known ones move to
    the chunk's latest event only when it is newer. Other columns get their model default."""
    columns, selects, params = [], [], []
    for f in Shipment._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in _SNAPSHOT:
            selects.append(_SNAPSHOT[f.name])
        elif f.name in ("created_at", "updated_at"):
            selects.append("%s")
            params.append(_NOW)  # filled per call
        else:
            selects.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    sql = (f"INSERT INTO logistics_shipment AS s ({', '.join(columns)}) "
           f"SELECT {', '.join(selects)} FROM logistics_import_shipments r "
           f"ON CONFLICT (tracking_number) DO UPDATE SET status = EXCLUDED.status, "
           f"last_event_at = EXCLUDED.last_event_at, last_location = EXCLUDED.last_location, "
           f"last_description = EXCLUDED.last_description, updated_at = EXCLUDED.updated_at, "
           f"carrier = CASE WHEN s.carrier = '' THEN EXCLUDED.carrier ELSE s.carrier END "
           f"WHERE s.last_event_at IS NULL OR EXCLUDED.last_event_at > s.last_event_at "
           f"RETURNING s.id, s.tracking_number, s.xmax = 0, s.status, "
           f"s.stalled OR s.eta IS NOT NULL")
    return sql, params


# Events of shipments that existed before this chunk may be stored already: they go through
# the temporary table and INSERT … SELECT … ON CONFLICT DO NOTHING.
_EVENT_INSERT = """
INSERT INTO logistics_trackingevent (shipment_id, time, status, location, description,
    source_code, exception_reason, source, event_key, created_at)
SELECT s.id, r.time, r.status, r.location, r.description, r.source_code, r.exception_reason,
    r.source, r.event_key, %s
FROM logistics_import_rows r JOIN logistics_shipment s ON s.tracking_number = r.tracking_number
ON CONFLICT (shipment_id, event_key) DO NOTHING"""


def _copy(cursor, sql: str, data: bytes) -> None:
    # One read() per COPY: each read needs the GIL, which the reader thread holds most of
    # the time (psycopg2's default 8 KiB reads would each wait ~5 ms for it).
    # `size` positionally: Django's CursorDebugWrapper (DEBUG) passes only *args through.
    cursor.copy_expert(sql, io.BytesIO(data), len(data) + 1)


def _import_postgresql(lines, batch_size: int, summary: ImportSummary, progress) -> list[int]:
    shipment_sql, shipment_params = _shipment_upsert_sql()
    now_slots = [i for i, p in enumerate(shipment_params) if p is _NOW]
    touched: list[int] = []
    feed = _parse_in_process(lines, batch_size, summary) if _forkable(lines) \
        else _parse_in_thread(lines, batch_size, summary)
    for ships, blocks, count, consumed in feed:
        if count:
            now = timezone.now()
            params = list(shipment_params)
            for i in now_slots:
                params[i] = now
            with transaction.atomic(), connection.cursor() as cursor:
                # A chunk lost to a crash is re-imported idempotently: no need to wait for
                # each commit's WAL flush.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(_TEMP)
                _copy(cursor, f"COPY logistics_import_shipments ({_SHIPMENT_COLUMNS}) FROM STDIN",
                      ships)
                cursor.execute(shipment_sql, params)
                created: dict[str, int] = {}
                for shipment_id, number, is_new, status, derived in cursor.fetchall():
                    if is_new:
                        created[number] = shipment_id
                    else:
                        summary.shipments_updated += 1
                    if derived or status not in FINAL_STATUSES:
                        touched.append(shipment_id)
                summary.shipments_created += len(created)
                # Shipments created by this very transaction cannot hold any event yet (no
                # other transaction sees their id before the commit, duplicates within the
                # chunk are gone): their events are COPYed straight into the table.
                direct = "".join(blocks[n][0].replace("\x00", str(i))
                                 for n, i in created.items())
                rest = "".join(block for n, (_, block) in blocks.items() if n not in created)
                inserted = 0
                if direct:
                    _copy(cursor, f"COPY logistics_trackingevent ({_DIRECT_COLUMNS}) FROM STDIN",
                          direct.encode())
                    inserted += direct.count("\n")
                if rest:
                    _copy(cursor, f"COPY logistics_import_rows ({_ROW_COLUMNS}) FROM STDIN",
                          rest.encode())
                    cursor.execute(_EVENT_INSERT, [now])
                    inserted += cursor.rowcount
                summary.events_new += inserted
                summary.duplicates += count - inserted
        if progress:
            progress(consumed)
    return touched


def _forkable(lines) -> bool:
    """A real file (import_tracking's) is parsed in a forked process: parsing is pure Python
    and would otherwise share the GIL with the thread that feeds PostgreSQL."""
    return hasattr(lines, "fileno") and "fork" in mp.get_all_start_methods()


def _parse_in_thread(lines, batch_size: int, summary: ImportSummary):
    """Parses chunk n+1 in a thread while the database works on chunk n."""
    feed: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def reader():
        try:
            for (ships, blocks), count, consumed in _pg_chunks(lines, batch_size, summary):
                feed.put((ships, blocks, count, consumed))
        except BaseException as exc:  # surfaced in the caller's thread
            failure.append(exc)
        finally:
            feed.put(None)

    thread = threading.Thread(target=reader, name="import-reader", daemon=True)
    thread.start()
    while (item := feed.get()) is not None:
        yield item
    thread.join()
    if failure:
        raise failure[0]


def _child_parse(lines, batch_size: int, conn) -> None:
    summary = ImportSummary()
    try:
        for (ships, blocks), count, consumed in _pg_chunks(lines, batch_size, summary):
            conn.send(("chunk", (ships, blocks, count, consumed)))
        conn.send(("done", (summary.lines, summary.rejected, summary.errors)))
    except BaseException as exc:
        try:
            conn.send(("error", exc))
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(repr(exc))))
    finally:
        conn.close()


def _parse_in_process(lines, batch_size: int, summary: ImportSummary):
    """Parses in a forked child that sends chunk after chunk through a pipe (whose buffer
    keeps it about one chunk ahead). The child never touches the database connection it
    inherits, and leaves with os._exit, so that connection is not closed under us."""
    receiver, sender = mp.get_context("fork").Pipe(duplex=False)
    child = mp.get_context("fork").Process(target=_child_parse, args=(lines, batch_size, sender),
                                           name="import-parser", daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError("the import parser process died") from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                lines_seen, rejected, errors = payload
                summary.lines += lines_seen
                summary.rejected += rejected
                summary.errors.extend(errors[:_MAX_ERRORS_KEPT - len(summary.errors)])
                return
            else:
                raise payload
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()


# --------------------------------------------------------------------------- elsewhere

def _import_generic(chunks, summary: ImportSummary, progress) -> list[int]:
    touched: list[int] = []
    for rows, consumed in chunks:
        if rows:
            now = timezone.now()
            with transaction.atomic():
                touched.extend(_generic_chunk(rows, summary, now))
        if progress:
            progress(consumed)
    return touched


def _generic_chunk(rows: list[Row], summary: ImportSummary, now) -> list[int]:
    firsts: dict[str, Row] = {}
    latest: dict[str, Row] = {}
    for r in rows:
        first = firsts.setdefault(r.number, r)
        if not first.carrier and r.carrier:
            firsts[r.number] = r
        if r.number not in latest or r.time >= latest[r.number].time:
            latest[r.number] = r
    numbers = list(firsts)
    known = set()
    for start in range(0, len(numbers), 500):
        known.update(Shipment.objects.filter(tracking_number__in=numbers[start:start + 500])
                     .values_list("tracking_number", flat=True))
    Shipment.objects.bulk_create(
        [Shipment(tracking_number=n, carrier=r.carrier, source=r.source, created_at=now,
                  updated_at=now) for n, r in firsts.items() if n not in known],
        ignore_conflicts=True, batch_size=500)
    summary.shipments_created += len(numbers) - len(known)
    ids: dict[str, Shipment] = {}
    for start in range(0, len(numbers), 500):
        for s in Shipment.objects.filter(tracking_number__in=numbers[start:start + 500]).only(
                "id", "tracking_number", "carrier", "last_event_at"):
            ids[s.tracking_number] = s
    table = TrackingEvent._meta.db_table
    sql = (f"INSERT INTO {table} (shipment_id, time, status, location, description, "
           f"source_code, exception_reason, source, event_key, created_at) "
           f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
           f"ON CONFLICT (shipment_id, event_key) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(ids[r.number].pk, r.time, r.status, r.location, r.description,
                                  r.source_code, r.exception_reason, r.source, r.key, now)
                                 for r in rows])
        inserted = max(cursor.rowcount, 0)
    summary.events_new += inserted
    summary.duplicates += len(rows) - inserted
    changed = []
    for number, r in latest.items():
        s = ids[number]
        if s.last_event_at is None or r.time > s.last_event_at:
            summary.shipments_updated += number in known
            changed.append(Shipment(pk=s.pk, status=r.status, last_event_at=r.time,
                                    last_location=r.location, last_description=r.description,
                                    carrier=s.carrier or r.carrier, updated_at=now))
    Shipment.objects.bulk_update(changed, ["status", "last_event_at", "last_location",
                                           "last_description", "carrier", "updated_at"],
                                 batch_size=500)
    return [s.pk for s in changed if s.status not in FINAL_STATUSES]


def do_import_events(lines: Iterable[bytes | str], *, batch_size: int = 20_000,
                     progress: Callable[[int], None] | None = None,
                     derive: bool = True) -> ImportSummary:
    """Imports JSON lines; `progress(n)` is told each chunk's size in input bytes."""
    import time

    started = time.monotonic()
    summary = ImportSummary(backend=connection.vendor)
    if connection.vendor == "postgresql":
        # Two threads share the GIL: hand it over every 0.5 ms instead of 5 ms so the
        # database thread is not kept waiting after each statement; and no cyclic garbage
        # collection passes over the chunk's hundreds of thousands of fresh objects.
        interval, collecting = sys.getswitchinterval(), gc.isenabled()
        sys.setswitchinterval(0.0005)
        gc.disable()
        try:
            touched = _import_postgresql(lines, batch_size, summary, progress)
        finally:
            sys.setswitchinterval(interval)
            if collecting:
                gc.enable()
    else:
        touched = _import_generic(_chunks(lines, batch_size, summary), summary, progress)
    if derive and touched:
        refresh_derived(sorted(set(touched)))
    summary.seconds = round(time.monotonic() - started, 3)
    return summary
