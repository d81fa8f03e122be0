"""Pieces every logistics action shares: the error family, event keys, phone normalising."""

import hashlib
import re
from datetime import datetime

from django.utils.translation import gettext as _

from config.errors import DomainError


class LogisticsError(DomainError):
    pass


class SignatureRejected(LogisticsError):
    """401: the push is not from the source it claims; nothing about it is stored."""

    status_code = 401
    code = "bad_signature"


def event_key(time: datetime, status: str, description: str) -> str:
    """What makes two scans the same scan: instant (epoch seconds), status, text.

    The location is left out on purpose: sources spell it differently for the same scan.
    """
    return hashlib.md5(f"{int(time.timestamp())}|{status}|{description}".encode()).hexdigest()


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """11-digit mainland mobile from `+86 138-0013-8000` and the like; 400 when it isn't one."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    digits = re.sub(r"^(?:\+?86)(?=1\d{10}$)", "", digits)
    if not _MOBILE.match(digits):
        raise LogisticsError(_("“%(phone)s” is not a mainland mobile number.") % {"phone": raw},
                             code="invalid_phone", extra={"field": field})
    return digits
