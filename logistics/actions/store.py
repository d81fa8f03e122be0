"""Storing parsed tracking data: one shipment's events merged in, its snapshot recomputed.

Events are keyed (see common.event_key), so a repeated push adds nothing; a late event is
simply one more row, and the shipment's current status is always its latest event *by time*.

A number seen for the first time costs one INSERT for the shipment (its snapshot computed
from the push itself) and one for the events; a known number is locked, merged, updated.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from logistics.actions.common import event_key
from logistics.actions.derive import derived_fields
from logistics.adapters import TrackingUpdate
from logistics.models import Shipment, TrackingEvent

_insert_sql: str | None = None


def _insert_new_shipment(draft: Shipment) -> Shipment | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING *: the new row, or None if it exists."""
    global _insert_sql
    fields = [f for f in Shipment._meta.concrete_fields if not f.primary_key]
    if _insert_sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        returning = ", ".join(qn(f.column) for f in Shipment._meta.concrete_fields)
        _insert_sql = (f"INSERT INTO {qn(Shipment._meta.db_table)} ({columns}) VALUES "
                       f"({', '.join(['%s'] * len(fields))}) ON CONFLICT (tracking_number) "
                       f"DO NOTHING RETURNING {returning}")
    params = [f.get_db_prep_save(f.pre_save(draft, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for f, value in zip(Shipment._meta.concrete_fields, row, strict=True):
        column = f.get_col(Shipment._meta.db_table)
        for convert in connection.ops.get_db_converters(column):  # e.g. SQLite datetimes
            value = convert(value, column, connection)
        if hasattr(f, "from_db_value"):  # JSONField
            value = f.from_db_value(value, column, connection)
        values.append(value)
    return Shipment.from_db(connection.alias,
                            [f.attname for f in Shipment._meta.concrete_fields], values)


_EVENT_COLUMNS = ("shipment_id", "time", "status", "location", "description", "source_code",
                  "exception_reason", "source", "event_key", "payload_id", "created_at")


def _insert_events(shipment_id: int, rows) -> None:
    """One multi-row INSERT … ON CONFLICT DO NOTHING (a concurrent push may have stored the
    same scan); plain SQL because the ORM's bulk_create costs more than the database here."""
    rows = list(rows)
    if not rows:
        return
    time_field = TrackingEvent._meta.get_field("time")
    values, params = [], []
    for r in rows:
        values.append("(" + ", ".join(["%s"] * len(_EVENT_COLUMNS)) + ")")
        params += [shipment_id, time_field.get_db_prep_value(r.time, connection), r.status,
                   r.location, r.description, r.source_code, r.exception_reason, r.source,
                   r.event_key, r.payload_id,
                   time_field.get_db_prep_value(r.created_at, connection)]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TrackingEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)})"
                       f" VALUES {', '.join(values)} ON CONFLICT (shipment_id, event_key) "
                       f"DO NOTHING", params)


def do_store_update(update: TrackingUpdate, *, source: str, payload_id: int | None = None,
                    now: datetime | None = None) -> int:
    """Merges one parcel's events. Caller holds a transaction. Returns the new events' count."""
    now = now or timezone.now()
    rows: dict[str, TrackingEvent] = {}
    for event in update.events:
        key = event_key(event.time, event.status, event.description)
        if key not in rows:
            rows[key] = TrackingEvent(
                time=event.time, status=event.status, location=event.location[:200],
                description=event.description, source_code=event.source_code[:40],
                exception_reason=event.exception_reason, source=source, event_key=key,
                payload_id=payload_id, created_at=now)

    # First sighting: the snapshot follows from this push alone, one INSERT does it all.
    draft = Shipment(tracking_number=update.tracking_number, carrier=update.carrier,
                     source=source, created_at=now, updated_at=now)
    for name, value in derived_fields(draft, rows.values(), now=now,
                                      overall_status=update.status).items():
        setattr(draft, name, value)
    shipment = _insert_new_shipment(draft)
    if shipment is not None:
        _insert_events(shipment.pk, rows.values())
        return len(rows)

    shipment = Shipment.objects.select_for_update().get(tracking_number=update.tracking_number)
    existing = {e.event_key: e for e in TrackingEvent.objects.filter(shipment=shipment).only(
        "id", "time", "status", "location", "description", "exception_reason", "event_key")}
    new_rows = [row for key, row in rows.items() if key not in existing]
    for row in new_rows:
        row.shipment = shipment
    _insert_events(shipment.pk, new_rows)
    changes = {"source": source}
    if update.carrier and not shipment.carrier:
        changes["carrier"] = update.carrier
    changes.update(derived_fields(shipment, [*existing.values(), *new_rows], now=now,
                                  carrier=changes.get("carrier", shipment.carrier),
                                  overall_status=update.status))
    apply_changes(shipment, changes, now=now)
    return len(new_rows)


def apply_changes(shipment: Shipment, changes: dict, *, now: datetime) -> None:
    changed = [name for name, value in changes.items() if getattr(shipment, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(shipment, name, changes[name])
    shipment.updated_at = now
    shipment.save(update_fields=[*changed, "updated_at"])


def do_store_updates(updates, *, source: str, payload_id: int | None = None) -> int:
    with transaction.atomic():
        return sum(do_store_update(u, source=source, payload_id=payload_id) for u in updates)
