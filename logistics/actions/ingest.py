"""Ingestion without loss (logistics/README.md): verify → archive → parse → store.

The body is archived in its own committed statement *before* it is parsed, so a parser bug or
a crash after verification loses nothing: the row stays `received` (or becomes a dead letter)
and can be processed again. A body whose signature fails is refused and not stored at all.
"""

import hashlib
import hmac
import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.actions.common import LogisticsError, SignatureRejected
from logistics.actions.store import do_store_update
from logistics.adapters import Ack, PayloadError, SignatureError, Source, UnknownSource, get_source
from logistics.choices import DeadLetterStatus, PayloadChannel, PayloadStatus
from logistics.models import DeadLetter, RawPayload

logger = logging.getLogger(__name__)

# Headers worth keeping with the body: what a replay or an investigation needs, no cookies.
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "sign", "aftership-hmac-sha256",
                "x-forwarded-for", "x-real-ip", "x-request-id")


@dataclass
class IngestResult:
    source: str
    channel: str
    signature: str
    payload_id: int | None = None
    status: str = ""
    kind: str = ""
    tracking_numbers: list[str] = field(default_factory=list)
    events_received: int = 0
    events_stored: int = 0
    error_code: str = ""
    error: str = ""
    ack: Ack | None = None

    @property
    def ok(self) -> bool:
        return self.status == PayloadStatus.PROCESSED

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("ack")
        return data


def source_or_404(code: str) -> Source:
    try:
        return get_source(code)
    except UnknownSource:
        raise LogisticsError(_("Unknown tracking source “%(code)s”.") % {"code": code},
                             code="unknown_source", status=404) from None


def source_secret(source: Source) -> str:
    return getattr(settings, source.secret_setting, "") if source.secret_setting else ""


def source_key_configured(source: Source) -> bool:
    if source.code == "sf" and settings.SF_WEBHOOK_TOKEN:
        return True
    return bool(source_secret(source))


def _verify(source: Source, body: bytes, headers, secret: str) -> None:
    try:
        source.verify(body, headers, secret)
    except SignatureError as exc:
        raise SignatureRejected(_("Signature check failed: %(why)s") % {"why": exc.message},
                                code=exc.code if exc.code != "missing_signature"
                                else "bad_signature") from None
    except PayloadError:  # a body that is not even shaped like a signed push
        raise SignatureRejected(_("Signature check failed: the body carries no signature."))


def check_webhook_signature(source: Source, body: bytes, headers, *, url_token: str = "") -> str:
    """How the push was authenticated; SignatureRejected (401) when it is not.

    SF route pushes are unsigned (adapter docstring): the endpoint URL carries a secret token
    instead (settings.SF_WEBHOOK_TOKEN). A source with no key configured is refused unless
    DEBUG, where unsigned pushes are accepted for development.
    """
    if source.code == "sf" and settings.SF_WEBHOOK_TOKEN:
        if url_token and hmac.compare_digest(url_token.encode(),
                                             settings.SF_WEBHOOK_TOKEN.encode()):
            return "url_token"
        raise SignatureRejected(_("Wrong or missing URL token."))
    secret = source_secret(source)
    if not secret:
        if settings.DEBUG:
            return "not_configured"
        raise SignatureRejected(_("No key is configured for this source; pushes are refused."),
                                code="source_not_configured")
    _verify(source, body, headers, secret)
    return "verified"


def check_command_signature(source: Source, body: bytes, headers) -> str:
    """For a body handed to ingest_tracking: query responses carry no signature (we fetched
    them ourselves); pushes are verified when the source's key is configured."""
    try:
        kind = source.parse(body, headers).kind
    except Exception:  # unparseable: verify as a push, the processing step dead-letters it
        kind = "push"
    if kind == "query":
        return "not_applicable"
    secret = source_secret(source)
    if not secret:
        return "not_configured"
    try:
        source.verify(body, headers, secret)
    except SignatureError as exc:
        if exc.code in ("unsigned", "unsupported"):  # e.g. SF route pushes: nothing to check
            return "unsigned"
        raise SignatureRejected(_("Signature check failed: %(why)s") % {"why": exc.message},
                                code=exc.code) from None
    except PayloadError:
        raise SignatureRejected(_("Signature check failed: the body carries no signature."))
    return "verified"


def kept_headers(headers) -> dict[str, str]:
    lowered = {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}
    return {name: lowered[name][:500] for name in KEPT_HEADERS if name in lowered}


def do_archive_payload(*, source: str, channel: str, body: bytes, headers=None) -> RawPayload:
    """Stores the body as received. Call outside any transaction: it must be committed now.

    One plain INSERT (the ORM's create costs more than the database here)."""
    payload = RawPayload(source=source, channel=channel, headers=kept_headers(headers),
                         body=body, sha256=hashlib.sha256(body).hexdigest(),
                         received_at=timezone.now())
    fields = [f for f in RawPayload._meta.concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(f.pre_save(payload, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RawPayload._meta.db_table} ({', '.join(f.column for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id", params)
        (payload.pk,) = cursor.fetchone()
    payload._state.adding = False
    return payload


def check_ingest_payload(*, source_code: str, body: bytes, headers=None,
                         channel: str = PayloadChannel.WEBHOOK, url_token: str = "",
                         ) -> IngestResult:
    """Webhook and ingest_tracking: authenticate, archive, then process the body."""
    source = source_or_404(source_code)
    headers = headers or {}
    if channel == PayloadChannel.WEBHOOK:
        signature = check_webhook_signature(source, body, headers, url_token=url_token)
    elif channel == PayloadChannel.COMMAND:
        signature = check_command_signature(source, body, headers)
    else:
        signature = "not_applicable"
    payload = do_archive_payload(source=source.code, channel=channel, body=body, headers=headers)
    return do_process_payload(payload, source=source, signature=signature)


def do_process_payload(payload: RawPayload, *, source: Source | None = None,
                       signature: str = "") -> IngestResult:
    """Parses an archived body and stores its events; on failure, a dead letter."""
    source = source or get_source(payload.source)
    result = IngestResult(source=source.code, channel=payload.channel, signature=signature,
                          payload_id=payload.pk)
    now = timezone.now()
    try:
        parsed = source.parse(bytes(payload.body), payload.headers)
        result.kind = parsed.kind
        result.tracking_numbers = [u.tracking_number for u in parsed.updates]
        result.events_received = sum(len(u.events) for u in parsed.updates)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The body is already durably archived: if the server loses this commit,
                # the payload stays `received` and is processed again. No fsync wait.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            result.events_stored = sum(
                do_store_update(update, source=source.code, payload_id=payload.pk, now=now)
                for update in parsed.updates)
            RawPayload.objects.filter(pk=payload.pk).update(
                status=PayloadStatus.PROCESSED, kind=parsed.kind,
                numbers=result.tracking_numbers[:200], events_stored=result.events_stored,
                error_code="", processed_at=now)
            if payload.status == PayloadStatus.FAILED:
                DeadLetter.objects.filter(payload_id=payload.pk).update(
                    status=DeadLetterStatus.REPLAYED, replayed_at=now)
        result.status = PayloadStatus.PROCESSED
        result.ack = source.ack(parsed)
    except PayloadError as exc:
        _fail(result, payload, exc.code, str(exc))
        result.ack = source.ack(None, exc)
    except Exception as exc:  # a parser or storage bug: keep the body, tell ops, answer 500
        logger.exception("processing %s payload %s failed", source.code, payload.pk)
        _fail(result, payload, "processing_failed", f"{exc.__class__.__name__}: {exc}")
        result.ack = source.ack(None, exc)
    return result


def _fail(result: IngestResult, payload: RawPayload, code: str, error: str) -> None:
    result.status, result.error_code, result.error = PayloadStatus.FAILED, code, error[:2000]
    now = timezone.now()
    with transaction.atomic():
        RawPayload.objects.filter(pk=payload.pk).update(status=PayloadStatus.FAILED,
                                                        error_code=code, processed_at=now)
        letter, created = DeadLetter.objects.get_or_create(
            payload=payload, defaults={"source": payload.source, "code": code,
                                       "error": result.error, "created_at": now})
        if not created:
            letter.code, letter.error, letter.status = code, result.error, DeadLetterStatus.PENDING
            letter.save(update_fields=["code", "error", "status"])


def check_replay_dead_letter(*, dead_letter_id: int, acting_user=None) -> IngestResult:
    """Processes a dead letter's archived body again (its signature was checked on receipt)."""
    with transaction.atomic():
        letter = (DeadLetter.objects.select_for_update().select_related("payload")
                  .filter(pk=dead_letter_id).first())
        if letter is None:
            raise LogisticsError(_("Dead letter not found."), code="not_found", status=404)
        if letter.status != DeadLetterStatus.PENDING:
            raise LogisticsError(_("Only pending dead letters can be replayed."),
                                 code="not_replayable", status=409)
        letter.attempts += 1
        letter.save(update_fields=["attempts"])
    logger.info("dead letter %s replayed by %s", letter.pk,
                getattr(acting_user, "username", "system"))
    return do_process_payload(letter.payload, signature="checked_on_receipt")


def do_discard_dead_letters(queryset, *, acting_user=None) -> int:
    return queryset.filter(status=DeadLetterStatus.PENDING).update(
        status=DeadLetterStatus.DISCARDED)


def check_reprocess_payload(*, payload_id: int, acting_user=None) -> IngestResult:
    """A payload left `received` by a crash (or any archived body) processed again."""
    payload = RawPayload.objects.filter(pk=payload_id).first()
    if payload is None:
        raise LogisticsError(_("Raw payload not found."), code="not_found", status=404)
    return do_process_payload(payload, signature="checked_on_receipt")
