"""Mainland mobile numbers as customers and systems write them."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def canonical_mobile(raw: str | None) -> str | None:
    """The 11 digits of `+86 138-0013-8000` and the like; None when it is no mainland mobile."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    digits = re.sub(r"^(?:\+?86)(?=1\d{10}$)", "", digits)
    return digits if _MOBILE.match(digits) else None
