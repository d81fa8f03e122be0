"""Pluggable notification backends, chosen per channel in settings.NOTIFICATION_BACKENDS
(like Django's EMAIL_BACKEND)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _backend(path: str):
    return import_string(path)()


def get_backend(channel: str):
    path = settings.NOTIFICATION_BACKENDS.get(channel)
    if path is None:
        raise LookupError(f"no notification backend for channel {channel!r}")
    return _backend(path)
