"""Comments (internal notes and customer-visible replies) and evidence attachments."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden
from tickets.actions.common import push_ticket, record_event
from tickets.actions.merge import follow_merge
from tickets.choices import CommentVisibility, EventKind
from tickets.files import sniff_content_type
from tickets.hooks import customer_reply_handlers
from tickets.models import Ticket, TicketAttachment, TicketComment
from tickets.quality import fields as template_fields
from tickets.roles import Role, has_role, is_staff_member
from tickets.selectors import access_ticket


def check_add_comment(*, user, ticket_id, body: str,
                      visibility: str = CommentVisibility.INTERNAL) -> TicketComment:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The comment is empty."), code="missing_fields",
                          extra={"fields": ["body"]})
    if visibility not in CommentVisibility.values:
        raise DomainError(_("Unknown visibility."), code="invalid")
    if has_role(user, Role.CUSTOMER) and not is_staff_member(user):
        visibility = CommentVisibility.PUBLIC  # customers only ever write to the thread
    elif not is_staff_member(user):
        raise Forbidden(_("You may not comment on tickets."))
    with transaction.atomic():
        ticket = follow_merge(user, access_ticket(user, ticket_id, lock=True))
        return do_add_comment(ticket, author=user, body=body, visibility=visibility)


def do_add_comment(ticket: Ticket, *, author, body: str, visibility: str) -> TicketComment:
    """Caller holds the row lock. A staff reply to the customer stops the response clock."""
    comment = TicketComment.objects.create(ticket=ticket, author=author, body=body,
                                           visibility=visibility)
    if (visibility == CommentVisibility.PUBLIC and ticket.first_responded_at is None
            and is_staff_member(author)):
        ticket.first_responded_at = comment.created_at
        ticket.save(update_fields=["first_responded_at", "updated_at"])
    record_event(ticket, EventKind.COMMENT, actor=author,
                 data={"comment_id": comment.pk, "visibility": visibility})
    staff = is_staff_member(author)
    if not staff and "customer" in (ticket.sla_pause_reasons or []):
        from tickets.actions.clock import CUSTOMER, do_resume_clock

        do_resume_clock(ticket, CUSTOMER, acting_user=author, note=_("The customer answered."))
    if visibility == CommentVisibility.PUBLIC and staff:
        for handler in customer_reply_handlers():  # e.g. into the customer's chat session
            handler(ticket=ticket, comment=comment)
    # Everyone the event reaches may see the ticket and its internal notes (staff only).
    push_ticket(ticket, op="update", change="comment", data={"comment": {
        "id": comment.pk, "visibility": visibility, "body": comment.body,
        "author": (author.get_full_name() or author.username) if author else "",
        "from_customer": not staff, "created_at": comment.created_at.isoformat()}})
    return comment


def check_add_attachment(*, user, ticket_id, upload, comment_id=None,
                         evidence_for: str = "") -> TicketAttachment:
    """Evidence (images, PDF): size limited, type decided by the file's bytes. `evidence_for`:
    the evidence field of the category's template the file proves (e.g. photo)."""
    if not (is_staff_member(user) or has_role(user, Role.CUSTOMER)):
        raise Forbidden(_("You may not add attachments."))
    if upload is None:
        raise DomainError(_("No file was sent."), code="missing_fields",
                          extra={"fields": ["file"]})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.")
                          % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                          code="file_too_large")
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        raise DomainError(_("Only JPEG, PNG, GIF, WebP images and PDF files are accepted."),
                          code="unsupported_file_type")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        ticket = follow_merge(user, access_ticket(user, ticket_id, lock=True))
        evidence_for = (evidence_for or "").strip()
        if evidence_for and evidence_for not in {
                f.code for f in template_fields.fields_for(ticket.category_id) if f.evidence}:
            raise DomainError(_("This category has no such evidence field."),
                              code="invalid_fields", extra={"fields": [evidence_for]})
        comment = None
        if comment_id is not None:
            comment = ticket.comments.filter(pk=comment_id).first()
            if comment is None:
                raise DomainError(_("Unknown comment."), code="invalid")
        return do_add_attachment(ticket, upload=upload, content_type=content_type,
                                 sha256=digest.hexdigest(), uploaded_by=user, comment=comment,
                                 evidence_for=evidence_for)


def do_add_attachment(ticket, *, upload, content_type, sha256, uploaded_by,
                      comment=None, evidence_for: str = "") -> TicketAttachment:
    name = (getattr(upload, "name", "") or "file")[-200:]
    attachment = TicketAttachment(ticket=ticket, comment=comment, original_name=name,
                                  content_type=content_type, size=upload.size, sha256=sha256,
                                  uploaded_by=uploaded_by, created_at=timezone.now(),
                                  evidence_for=evidence_for)
    # Stored under its content hash: a rolled-back row leaves at most an unreferenced copy.
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event(ticket, EventKind.ATTACHMENT, actor=uploaded_by,
                 data={"attachment_id": attachment.pk, "name": name,
                       "content_type": content_type, "size": upload.size,
                       **({"evidence_for": evidence_for} if evidence_for else {})})
    push_ticket(ticket, op="update", change="attachment")
    return attachment
