"""The values of a ticket's template fields (the agent's form, the customer's answers) and
evidence files tagged with the field they prove."""

from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden
from tickets.actions.common import push_ticket, record_event
from tickets.choices import EventKind, Status
from tickets.models import Ticket
from tickets.quality import fields as template_fields
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket


def _check_may_fill(user, ticket: Ticket) -> None:
    if has_role(user, Role.SUPERVISOR, Role.SYSTEM):
        return
    if has_role(user, Role.AGENT) and ticket.owner_id == user.pk:
        return
    if has_role(user, Role.CUSTOMER) and ticket.customer_id and (
            getattr(ticket.customer, "user_id", None) == user.pk):
        return  # access_ticket already scoped a customer to their own tickets
    raise Forbidden(_("Only the owner, a supervisor or the customer may fill in this form."))


def check_update_form(*, user, ticket_id, values: dict, reason: str = "") -> Ticket:
    """PATCH semantics: only the fields given; an empty value clears a field. 400
    `invalid_fields` for unknown fields or bad values; 409 `ticket_closed` once closed."""
    if not isinstance(values, dict) or not values:
        raise DomainError(_("Send the fields to change."), code="missing_fields",
                          extra={"fields": ["values"]})
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        _check_may_fill(user, ticket)
        if ticket.status == Status.CLOSED:
            raise DomainError(_("A closed ticket cannot be edited; reopen it first."),
                              code="ticket_closed", status=409)
        cleaned = template_fields.clean_values(ticket.category_id, values,
                                               current=ticket.form_values, require=False)
        return do_update_form(ticket, acting_user=user, values=cleaned, reason=reason)


def do_update_form(ticket: Ticket, *, acting_user, values: dict, reason: str = "") -> Ticket:
    """Caller holds the row lock; `values` is the whole cleaned form. Audits each change
    (phone and address values masked); returns early when nothing changed."""
    old = ticket.form_values or {}
    if values == old:
        return ticket
    fields = {f.code: f for f in template_fields.fields_for(ticket.category_id)}

    def shown(code, value):
        field = fields.get(code)
        return template_fields.display(field, value) if field and value is not None else value

    changes = {code: [shown(code, old.get(code)), shown(code, values.get(code))]
               for code in sorted(set(old) | set(values)) if old.get(code) != values.get(code)}
    ticket.form_values = values
    ticket.save(update_fields=["form_values", "updated_at"])
    record_event(ticket, EventKind.FIELD_CHANGE, actor=acting_user, note=reason,
                 data={"form": changes})
    push_ticket(ticket, op="update", change="form")
    return ticket
