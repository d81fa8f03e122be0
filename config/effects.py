"""The only place that pushes WebSocket events or enqueues Celery tasks, always after commit.

Actions call these; nothing else calls `group_send` or `.delay()` (HOUSE_STYLE.md). Outside a
transaction `on_commit` runs the callback at once.
"""

import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


async def _send_all(layer, groups: tuple[str, ...], event: dict) -> None:
    for group in groups:
        try:
            await layer.group_send(group, {"type": "pd.event", "event": event})
        except Exception:  # a push is best effort: the state is committed, consoles re-fetch
            logger.exception("push to %s failed", group)


def _group_send(groups: tuple[str, ...], event: dict) -> None:
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer) and not any(layer.groups.get(g) for g in groups):
        return  # nobody in this process listens (e.g. a WSGI worker): skip the event-loop hop
    if layer is not None:
        async_to_sync(_send_all)(layer, groups, event)  # one event-loop hop for all groups


def send_event_on_commit(groups, event: dict) -> None:
    """Sends a flat event dict to each group once the current transaction commits."""
    if isinstance(groups, str):
        groups = (groups,)
    transaction.on_commit(partial(_group_send, tuple(dict.fromkeys(groups)), event))


def enqueue_on_commit(task, **ids) -> None:
    """Queues a Celery task with id arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, **ids))
