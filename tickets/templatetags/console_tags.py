"""Template helpers of the agent console: the SLA clock a ticket row shows, badges."""

from django import template
from django.utils.translation import gettext as _

from tickets.choices import Status

register = template.Library()


@register.simple_tag
def sla_clock(ticket) -> dict | None:
    """The deadline that runs now: response until the first response, then resolution;
    none once resolved. `start` lets the page colour the last fifth of the window."""
    if ticket.status in (Status.REVIEW, Status.CLOSED):
        return None
    if ticket.first_responded_at is None and ticket.response_due:
        return {"kind": _("Response"), "due": ticket.response_due,
                "breached": bool(ticket.response_breached_at), "start": ticket.created_at}
    if ticket.resolve_due:
        return {"kind": _("Resolution"), "due": ticket.resolve_due,
                "breached": bool(ticket.resolve_breached_at), "start": ticket.created_at}
    return None


@register.filter
def tag_label(tag: str) -> str:
    return {"vip": "VIP", "elderly": _("Elderly"), "handoff": _("Handed off"),
            "fresh": _("Fresh"), "valuable": _("Valuable"), "fragile": _("Fragile"),
            "international": _("International"), "document": _("Document")}.get(tag, tag)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def person(user) -> str:
    """A staff member's display name: full name, else username; "—" for nobody."""
    if user is None:
        return "—"
    from tickets.roles import Role, has_role, is_staff_member

    if has_role(user, Role.CUSTOMER) and not is_staff_member(user):
        return _("Customer")  # their login name carries the phone number
    return user.get_full_name() or user.username


@register.filter
def pause_reason(reason: str) -> str:
    """Why the resolution clock waits (tickets/actions/clock.py reasons), for people."""
    if reason == "customer":
        return _("waiting for the customer")
    if reason == "customs":
        return _("in customs")
    if reason.startswith("station_task:"):
        return _("station task #%(id)s") % {"id": reason.partition(":")[2]}
    return reason
