"""Every write to tickets goes through these (HOUSE_STYLE.md): check_* validates, locks and
checks permission, then calls do_*, which changes, audits and schedules after-commit effects."""

from tickets.actions.comments import (
    check_add_attachment,
    check_add_comment,
    do_add_attachment,
    do_add_comment,
)
from tickets.actions.common import TicketError, record_event
from tickets.actions.create import (
    check_create_ticket,
    do_create_ticket,
    ensure_customer_user,
    get_or_create_customer,
    normalize_phone,
)
from tickets.actions.csat import check_answer_csat
from tickets.actions.forms import check_update_form, do_update_form
from tickets.actions.merge import check_merge_ticket, do_merge_ticket
from tickets.actions.notify import (
    deliver_notification,
    do_enqueue_notification,
    do_retry_notifications,
)
from tickets.actions.review import check_review_ticket, do_review_ticket, do_submit_review
from tickets.actions.sla import do_record_breach, notify_supervisors, record_sla_breaches
from tickets.actions.transitions import (
    TRANSITION_ACTIONS,
    check_approve_review,
    check_assign_ticket,
    check_reject_review,
    check_release_ticket,
    check_reopen_ticket,
    check_start_ticket,
    check_submit_review,
    check_transfer_ticket,
    do_approve_review,
    do_reopen_ticket,
    do_transition,
)
from tickets.actions.updates import check_update_ticket, do_update_ticket

__all__ = [
    "TRANSITION_ACTIONS", "TicketError", "check_add_attachment", "check_add_comment",
    "check_answer_csat", "check_approve_review", "check_assign_ticket", "check_create_ticket",
    "check_reject_review", "check_release_ticket", "check_reopen_ticket", "check_start_ticket",
    "check_submit_review", "check_transfer_ticket", "check_update_ticket",
    "deliver_notification", "do_add_attachment", "do_add_comment", "do_approve_review",
    "do_create_ticket", "do_enqueue_notification", "do_record_breach", "do_reopen_ticket",
    "do_retry_notifications", "do_transition", "do_update_ticket", "ensure_customer_user",
    "get_or_create_customer",
    "check_merge_ticket", "check_review_ticket", "check_update_form", "do_merge_ticket",
    "do_review_ticket", "do_submit_review", "do_update_form",
    "normalize_phone", "notify_supervisors", "record_event", "record_sla_breaches",
]
