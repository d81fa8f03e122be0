"""A per-process snapshot of rarely edited tables (categories, SLA policies, routing rules,
the skill matrix), reloaded after `ttl_setting` seconds and dropped at once by `clear()` (wired
to the models' save signals). Another process sees an edit within the TTL."""

import threading
import time

from django.conf import settings


class ProcessSnapshot:
    clock = staticmethod(time.monotonic)

    def __init__(self, load, *, ttl_setting: str):
        self._load, self._ttl_setting = load, ttl_setting
        self._value, self._loaded = None, 0.0
        self._lock = threading.Lock()

    def get(self):
        value = self._value
        if value is None or self.clock() - self._loaded > getattr(settings, self._ttl_setting):
            with self._lock:
                value, self._loaded = self._load(), self.clock()
                self._value = value
        return value

    def clear(self, **signal_kwargs) -> None:
        self._value = None
