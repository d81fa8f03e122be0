"""Ops-edited configuration read on every ticket write: categories, SLA policies, the default
queue. Held per process for CATALOG_TTL seconds and dropped at once when this process saves one
of them; another process sees an admin edit within the TTL. That keeps three queries off every
ticket creation."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from config.snapshot import ProcessSnapshot
from routing.models import Queue
from tickets.models import Category, SlaPolicy


def _load() -> dict:
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    policies = {(p.priority, p.category_id): p for p in SlaPolicy.objects.filter(active=True)}
    return {"categories": categories, "policies": policies,
            "default_queue": Queue.objects.filter(is_default=True).first()}


_snapshot = ProcessSnapshot(_load, ttl_setting="CATALOG_TTL")
_current = _snapshot.get
clear = _snapshot.clear


def active_category(code: str) -> Category | None:
    return _current()["categories"].get(code)


def sla_policy(priority: str, category_id: int | None) -> SlaPolicy | None:
    """The category's own policy for this priority, else the priority's default."""
    policies = _current()["policies"]
    return policies.get((priority, category_id)) or policies.get((priority, None))


def default_queue() -> Queue | None:
    return _current()["default_queue"]


for model in (Category, SlaPolicy, Queue):
    post_save.connect(clear, sender=model, dispatch_uid=f"catalog-save-{model.__name__}")
    post_delete.connect(clear, sender=model, dispatch_uid=f"catalog-delete-{model.__name__}")
m2m_changed.connect(clear, sender=Queue.members.through, dispatch_uid="catalog-queue-members")
