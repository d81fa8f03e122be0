"""Pieces every logistics action shares: the error family, event keys, phone normalising."""

import hashlib
from datetime import datetime

from django.utils.translation import gettext as _

from config.errors import DomainError
from config.phones import canonical_mobile


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




def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """11-digit mainland mobile from `+86 138-0013-8000` and the like; 400 when it isn't one."""
    phone = canonical_mobile(raw)
    if phone is None:
        raise LogisticsError(_("“%(phone)s” is not a mainland mobile number.") % {"phone": raw},
                             code="invalid_phone", extra={"field": field})
    return phone
