"""Roles are Django groups. A user's roles are read once per request and cached on the user."""

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

SYSTEM_USERNAME = "system"


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    REVIEWER = "reviewer", _("Reviewer")
    SUPERVISOR = "supervisor", _("Supervisor")
    OPS = "ops", _("Operations")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


STAFF_ROLES = frozenset({Role.AGENT, Role.REVIEWER, Role.SUPERVISOR, Role.OPS, Role.SYSTEM})


def roles_of(user) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pd_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
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
