"""Masking of phone numbers and addresses, for API output and for every log line."""

import logging
import re

# Mainland mobile numbers, also written with +86/86 and separators (138-0013-8000).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")


def mask_phone(phone: str | None) -> str:
    """138****8000; anything that is not a full number keeps only its last 4 characters."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_address(address: str | None) -> str:
    """Keeps the region part (province/city/district), hides the street and house number."""
    if not address:
        return ""
    match = re.match(r"^(.*?(?:省|自治区|市))?(.*?(?:市|州|盟))?(.*?(?:区|县|旗))?", address)
    kept = "".join(part for part in (match.groups() if match else ()) if part)
    if not kept or kept == address:
        kept = address[: max(len(address) // 3, 2)]
    return kept + "****"


def mask_text(text: str) -> str:
    """Masks every phone number inside free text (log messages, transcripts)."""
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class MaskPiiFilter(logging.Filter):
    """Rewrites each record's message with phone numbers masked, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
