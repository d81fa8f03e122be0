"""Every write to logistics tables goes through these (HOUSE_STYLE.md)."""

from logistics.actions.common import LogisticsError, SignatureRejected, event_key, normalize_phone
from logistics.actions.ingest import (
    IngestResult,
    check_ingest_payload,
    check_replay_dead_letter,
    check_reprocess_payload,
    do_archive_payload,
    do_discard_dead_letters,
    do_process_payload,
)
from logistics.actions.poll import do_poll_shipment, do_request_polls, do_subscribe_shipment
from logistics.actions.shipments import check_register_shipment
from logistics.actions.stalls import detect_stalls
from logistics.actions.store import do_store_update, do_store_updates

__all__ = [
    "IngestResult", "LogisticsError", "SignatureRejected", "check_ingest_payload",
    "check_register_shipment", "detect_stalls", "do_poll_shipment", "do_request_polls",
    "do_subscribe_shipment",
    "check_replay_dead_letter", "check_reprocess_payload", "do_archive_payload",
    "do_discard_dead_letters", "do_process_payload", "do_store_update", "do_store_updates",
    "event_key", "normalize_phone",
]
