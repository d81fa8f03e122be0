"""The only place that pushes WebSocket events or enqueues Celery tasks, always after commit.

Actions call these; nothing else calls `group_send` or `.delay()` (HOUSE_STYLE.md). Outside a
transaction `on_commit` runs the callback at once.
"""

import asyncio
import logging
import os
import threading
import uuid
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


async def _send_all(layer, groups: tuple[str, ...], event: dict) -> None:
    # One id per event: a consumer in several of the groups forwards it once. `group` tells
    # the consumer which of its groups carried it.
    event_id = uuid.uuid4().hex
    for group in groups:
        try:
            await layer.group_send(group, {"type": "pd.event", "id": event_id, "group": group,
                                           "event": event})
        except Exception:  # a push is best effort: the state is committed, consoles re-fetch
            logger.exception("push to %s failed", group)


class _PushLoop:
    """One long-lived event loop per process, in a daemon thread, for pushes to a network
    channel layer (Redis) from sync code (WSGI workers, Celery). async_to_sync would build a
    loop, and with it a new Redis connection, for every push (1.9 ms here against 0.56 ms).
    A fork (gunicorn, Celery prefork) starts a fresh loop in the child."""

    def __init__(self):
        self._loop, self._pid, self._lock = None, None, threading.Lock()

    def run(self, coroutine, timeout: float = 5.0):
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, name="pd-push",
                                 daemon=True).start()
            loop = self._loop
        # Waiting keeps one process's events in order and surfaces a stuck layer as a timeout.
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


_push_loop = _PushLoop()


def _unique(groups) -> tuple[str, ...]:
    return (groups,) if isinstance(groups, str) else tuple(dict.fromkeys(groups))


def _nobody_listens(layer, groups: tuple[str, ...]) -> bool:
    """No layer, or the in-memory one with none of these groups in this process (e.g. a
    WSGI worker): nothing to send, and no event-loop hop to pay for it."""
    return layer is None or (isinstance(layer, InMemoryChannelLayer)
                             and not any(layer.groups.get(g) for g in groups))


def _group_send(groups: tuple[str, ...], event: dict) -> None:
    layer = get_channel_layer()
    if _nobody_listens(layer, groups):
        return
    if isinstance(layer, InMemoryChannelLayer):
        # the in-memory layer's queues belong to the server's loop: hop onto it
        async_to_sync(_send_all)(layer, groups, event)
        return
    try:
        _push_loop.run(_send_all(layer, groups, event))
    except Exception:  # best effort: the state is committed, consoles re-fetch
        logger.exception("push to %s failed", groups)


def send_event_on_commit(groups, event: dict) -> None:
    """Sends a flat event dict to each group once the current transaction commits."""
    transaction.on_commit(partial(_group_send, _unique(groups), event))


def send_lazy_event(groups, build) -> None:
    """Builds the event with `build()` now (figures read from the committed state, e.g.
    queue counts) and sends it; skipped without a build when nobody in this process listens
    on the in-memory layer. `build` may return None to send nothing."""
    groups = _unique(groups)
    if _nobody_listens(get_channel_layer(), groups):
        return
    try:
        event = build()
    except Exception:  # best effort, like every push: the change itself is committed
        logger.exception("building the event for %s failed", groups)
        return
    if event is not None:
        _group_send(groups, event)


def enqueue_on_commit(task, **ids) -> None:
    """Queues a Celery task with id arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, **ids))


def enqueue_once_on_commit(task, *, key: str, within: float, **ids) -> None:
    """After commit, queues `task` to run `within` seconds later unless a run for `key` is
    already pending: a burst of changes costs one run (the supervisors' queue figures after
    every ticket change). Eager Celery (`make run`, tests) runs it at once."""

    def run():
        if task.app.conf.task_always_eager:
            task.run(**ids)  # the task's body, without eager Celery's bookkeeping per call
        elif cache.add(f"enqueue-once:{key}", 1, timeout=within):
            task.apply_async(kwargs=ids, countdown=within)

    transaction.on_commit(run)
