"""Merging duplicate tickets (same customer, same waybill) into one surviving ticket.

Comments and attachments move to the survivor; the duplicate's audit trail cannot move
(TicketEvent is append-only, a trigger on PostgreSQL), so it stays on the duplicate and is
linked in: the survivor gets a MERGE event naming the duplicate, and its trail
(selectors.ticket_trail) shows the duplicate's events too. The duplicate closes with the
`merge` transition (any open state → closed, no CSAT survey, no review counted) and keeps the
link `merged_into`; the customer hears one number (tickets/quality/README.md).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden, NotFound
from tickets.actions.common import check_transition_allowed, push_ticket, record_event
from tickets.actions.transitions import do_transition
from tickets.actions.updates import do_update_ticket
from tickets.choices import PRIORITY_ORDER, EventKind, Status, Transition
from tickets.models import Ticket, TicketAttachment, TicketComment, TicketWaybill
from tickets.quality import fields as template_fields
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("Ticket not found.")) from None


def follow_merge(user, ticket: Ticket, *, lock: bool = True) -> Ticket:
    """The surviving ticket of a merged one (the ticket itself otherwise). Customers and chat
    relays still writing to a merged number land on the survivor. Caller is in a
    transaction when `lock`."""
    hops = 0
    while ticket.merged_into_id is not None and hops < 10:
        ticket = access_ticket(user, ticket.merged_into_id, lock=lock)
        hops += 1
    return ticket


def waybills_of(ticket: Ticket) -> set[str]:
    return set(TicketWaybill.objects.filter(ticket=ticket).values_list("number", flat=True))


def check_merge_ticket(*, user, ticket_id, into_id, reason: str = "") -> Ticket:
    """Merges ticket `ticket_id` (the duplicate) into `into_id` (the survivor); returns the
    survivor. Agents merge tickets they can see when they own one of the two; supervisors
    any. 400 `not_duplicate` unless both belong to the same customer and share a waybill (or
    neither has one); 409 `merge_target_closed` for a closed or merged survivor."""
    source_id, target_id = _pk(ticket_id), _pk(into_id)
    if source_id == target_id:
        raise DomainError(_("A ticket cannot be merged into itself."), code="invalid_merge")
    with transaction.atomic():
        locked = {pk: access_ticket(user, pk, lock=True)  # both rows, in primary-key order
                  for pk in sorted((source_id, target_id))}
        source, target = locked[source_id], locked[target_id]
        check_transition_allowed(source, Transition.MERGE, user)
        if not has_role(user, Role.SUPERVISOR, Role.SYSTEM) and user.pk not in (
                source.owner_id, target.owner_id):
            raise Forbidden(_("Agents merge only when they own one of the two tickets."))
        if target.status == Status.CLOSED or target.merged_into_id:
            raise DomainError(_("The surviving ticket %(number)s is closed; reopen it or merge "
                                "the other way.") % {"number": target.number},
                              code="merge_target_closed", status=409)
        if source.children.exists():
            raise DomainError(_("A batch incident with linked tickets cannot be merged."),
                              code="invalid_merge")
        source_waybills, target_waybills = waybills_of(source), waybills_of(target)
        same_customer = source.customer_id is not None and (
            source.customer_id == target.customer_id)
        same_parcel = bool(source_waybills & target_waybills) or not (
            source_waybills or target_waybills)
        if not (same_customer and same_parcel):
            raise DomainError(_("Only tickets of the same customer about the same waybill are "
                                "duplicates."), code="not_duplicate")
        return do_merge_ticket(source, target, acting_user=user, reason=reason.strip(),
                               new_waybills=sorted(source_waybills - target_waybills))


def do_merge_ticket(source: Ticket, target: Ticket, *, acting_user, reason: str,
                    new_waybills=()) -> Ticket:
    """Caller holds both row locks (primary-key order) and checked the transition."""
    comment_ids = list(TicketComment.objects.filter(ticket=source).values_list("pk", flat=True))
    attachment_ids = list(TicketAttachment.objects.filter(ticket=source)
                          .values_list("pk", flat=True))
    TicketComment.objects.filter(pk__in=comment_ids).update(ticket=target)
    TicketAttachment.objects.filter(pk__in=attachment_ids).update(ticket=target)
    TicketWaybill.objects.bulk_create(TicketWaybill(ticket=target, number=n)
                                      for n in new_waybills)
    # The survivor's template gains what only the duplicate knew (its own values win).
    codes = {f.code for f in template_fields.fields_for(target.category_id)}
    gained = {k: v for k, v in (source.form_values or {}).items()
              if k in codes and k not in (target.form_values or {})}
    changed = []
    if gained:
        target.form_values = {**(target.form_values or {}), **gained}
        changed.append("form_values")
    tags = sorted(set(target.tags or ()) | set(source.tags or ()))
    if tags != sorted(set(target.tags or ())):
        target.tags = tags
        changed.append("tags")
    if changed:
        target.save(update_fields=[*changed, "updated_at"])
    note = reason or _("Duplicate of %(number)s") % {"number": target.number}
    record_event(target, EventKind.MERGE, actor=acting_user, note=note, data={
        "from_ticket": source.pk, "from_number": source.number, "comments": comment_ids,
        "attachments": attachment_ids, "waybills": list(new_waybills),
        "form_values": sorted(gained)})
    if PRIORITY_ORDER.index(source.priority) < PRIORITY_ORDER.index(target.priority):
        do_update_ticket(target, acting_user=acting_user, priority=source.priority,
                         reason=_("Merged with %(number)s") % {"number": source.number})
    do_transition(source, Transition.MERGE, acting_user=acting_user, note=note,
                  data={"into": target.pk, "into_number": target.number},
                  update_fields=("merged_into",), into=target)
    push_ticket(target, op="update", change="merge")
    if source.customer_id:
        from tickets.actions.notify import do_enqueue_notification

        do_enqueue_notification(
            channel="sms", recipient=source.customer.phone, ticket=target,
            subject=_("Tickets merged"),
            body=_("Your requests %(old)s and %(new)s are about the same parcel; we handle them "
                   "together under ticket %(new)s. Please use %(new)s to follow up.")
            % {"old": source.number, "new": target.number},
            payload={"kind": "merge", "from": source.number, "into": target.number},
            dedupe_key=f"merge:{source.pk}")
    return target
