"""Roles are Django groups.

A user's group names are kept per process for CATALOG_TTL seconds (a permission check runs on
every request) and dropped at once when this process changes that user's groups; a change made
in another process applies within the TTL. `is_active` is not cached: authentication checks it.
"""

import threading
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _

SYSTEM_USERNAME = "system"


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    REVIEWER = "reviewer", _("Reviewer")
    SUPERVISOR = "supervisor", _("Supervisor")
    OPS = "ops", _("Operations")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")
    STATION_STAFF = "station_staff", _("Station staff")
    COURIER = "courier", _("Courier")


STAFF_ROLES = frozenset({Role.AGENT, Role.REVIEWER, Role.SUPERVISOR, Role.OPS, Role.SYSTEM})

_clock = time.monotonic
_groups: dict[int, tuple[float, frozenset[str]]] = {}
_groups_lock = threading.Lock()
_MAX_CACHED_USERS = 20_000


def _group_names(user) -> frozenset[str]:
    now = _clock()
    hit = _groups.get(user.pk)
    if hit is not None and now - hit[0] <= settings.CATALOG_TTL:
        return hit[1]
    names = frozenset(user.groups.values_list("name", flat=True))
    with _groups_lock:
        if len(_groups) >= _MAX_CACHED_USERS:
            _groups.clear()
        _groups[user.pk] = (now, names)
    return names


def forget_roles(user_id=None) -> None:
    with _groups_lock:
        if user_id is None:
            _groups.clear()
        else:
            _groups.pop(user_id, None)


def _on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse or pk_set is None and not isinstance(instance, get_user_model()):
        forget_roles()  # a group's members changed: drop everyone
    else:
        forget_roles(instance.pk)


m2m_changed.connect(_on_groups_changed, sender=get_user_model().groups.through,
                    dispatch_uid="roles-groups-changed")


def roles_of(user) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pd_roles", None)
    if cached is None:
        names = set(_group_names(user))
        if user.username == SYSTEM_USERNAME:
            names.add(Role.SYSTEM)
        if user.is_superuser:
            # Superusers are ops staff and may act as supervisor and reviewer.
            names |= {Role.OPS, Role.SUPERVISOR, Role.REVIEWER}
        cached = frozenset(names)
        user._pd_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def sees_all_tickets(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.OPS, Role.REVIEWER, Role.SYSTEM)


def system_user():
    user, _created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": True, "first_name": "系统"}
    )
    return user
