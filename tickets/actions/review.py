"""Quality review (质检): submission with automatic checks and the sampling decision, and the
reviewer's verdict with a scorecard. The state machine is the designed one: an automatic
approval is the `approve` transition by the system user, the policy named in its audit entry
(tickets/quality/README.md)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from config.effects import enqueue_on_commit
from config.errors import DomainError
from tickets.actions.common import check_transition_allowed, record_event
from tickets.actions.transitions import do_approve_review, do_transition
from tickets.choices import (
    CommentVisibility,
    EventKind,
    FindingSource,
    ReviewItem,
    Status,
    Transition,
    Verdict,
)
from tickets.models import QualityFinding, ReviewScorecard, Ticket
from tickets.quality import checks, sampling
from tickets.quality import fields as template_fields
from tickets.roles import is_staff_member, system_user
from tickets.selectors import access_ticket


def _was_rejected(ticket: Ticket) -> bool:
    """The last verdict on this ticket was a reject (退回重处理): it goes back to a reviewer."""
    last = (ticket.events.filter(kind=EventKind.TRANSITION, from_status=Status.REVIEW)
            .order_by("-created_at", "-id").values_list("to_status", flat=True).first())
    return last == Status.PROCESSING


def run_checks(ticket: Ticket, *, acting_user, note: str) -> list[QualityFinding]:
    """Findings of this submission (not yet saved): staff replies to the customer not flagged
    before, the resolution `note`, the case's evidence and knowledge-base reference."""
    known = checks.known_addresses(ticket)
    seen = set(QualityFinding.objects.filter(ticket=ticket, comment__isnull=False)
               .values_list("comment_id", "kind", "excerpt"))
    found = []
    replies = ticket.comments.filter(visibility=CommentVisibility.PUBLIC).select_related("author")
    for comment in replies:
        if comment.author is None or not is_staff_member(comment.author):
            continue
        for hit in checks.text_hits(comment.body, known_addresses=known):
            if (comment.pk, hit.kind, hit.excerpt) in seen:
                continue
            seen.add((comment.pk, hit.kind, hit.excerpt))
            found.append(QualityFinding(
                ticket=ticket, agent=comment.author, kind=hit.kind, source=FindingSource.REPLY,
                comment=comment, round=ticket.review_round, excerpt=hit.excerpt,
                detail=hit.detail))
    for hit in checks.text_hits(note, known_addresses=known):
        found.append(QualityFinding(ticket=ticket, agent=acting_user, kind=hit.kind,
                                    source=FindingSource.RESOLUTION, round=ticket.review_round,
                                    excerpt=hit.excerpt, detail=hit.detail))
    for hit in checks.ticket_hits(ticket, list(ticket.attachments.all())):
        found.append(QualityFinding(ticket=ticket, agent=acting_user, kind=hit.kind,
                                    source=FindingSource.TICKET, round=ticket.review_round,
                                    excerpt=hit.excerpt, detail=hit.detail))
    return found


def do_submit_review(ticket: Ticket, *, acting_user, note: str) -> Ticket:
    """Caller holds the row lock and checked the transition. Required template fields must be
    filled (400 `missing_fields`); the checks run; the sampling policy decides whether the
    ticket waits for a reviewer or is approved by the system in the same transaction."""
    missing = template_fields.missing_required(ticket.category_id, ticket.form_values or {})
    if missing:
        raise template_fields.missing_error(missing)
    resubmitted = _was_rejected(ticket)
    ticket.review_round += 1
    findings = run_checks(ticket, acting_user=acting_user, note=note)
    decision = sampling.decide(ticket, agent=ticket.owner, findings=len(findings),
                               resubmitted=resubmitted)
    do_transition(ticket, Transition.SUBMIT_REVIEW, acting_user=acting_user, note=note,
                  data={"round": ticket.review_round, "findings": len(findings),
                        "sampling": decision.as_dict()},
                  update_fields=("review_round",))
    system = system_user()
    if findings:
        QualityFinding.objects.bulk_create(findings)
        counts: dict[str, int] = {}
        for finding in findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        record_event(ticket, EventKind.QUALITY_CHECK, actor=system,
                     data={"round": ticket.review_round, "findings": counts})
    if not decision.review:
        note = _("Approved automatically by the sampling policy “%(name)s” (%(rate)d%% "
                 "reviewed).") % {"name": decision.policy_name, "rate": decision.rate} \
            if decision.policy_id else _("Approved automatically: no sampling policy applies.")
        do_approve_review(
            ticket, acting_user=system, note=note,
            data={"automatic": True, "sampling_policy": decision.policy_name,
                  "sampling": decision.as_dict()})
    return ticket


ITEMS = tuple(ReviewItem.values)


def _clean_scores(scores) -> dict[str, int]:
    if not isinstance(scores, dict):
        scores = {}
    missing = [item for item in ITEMS if scores.get(item) in (None, "")]
    if missing:
        raise DomainError(_("Score every item of the scorecard (1–5)."), code="missing_fields",
                          extra={"fields": [f"scores.{item}" for item in missing]})
    cleaned = {}
    for item in ITEMS:
        try:
            value = int(scores[item])
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5 or str(scores[item]).strip() not in (str(value), f"{value}.0"):
            raise DomainError(_("Each score is a whole number from 1 to 5."),
                              code="invalid_score", extra={"fields": [f"scores.{item}"]})
        cleaned[item] = value
    return cleaned


def check_review_ticket(*, user, ticket_id, verdict: str, scores, comment: str = "",
                        failed_items=()) -> Ticket:
    """The reviewer's verdict with the scorecard. A reject (退回重处理) needs a comment and at
    least one failed item: named, or scored below QUALITY_PASS_SCORE."""
    if verdict not in Verdict.values:
        raise DomainError(_("The verdict is approved or rejected."), code="invalid",
                          extra={"fields": ["verdict"]})
    cleaned = _clean_scores(scores)
    unknown = sorted(set(failed_items or ()) - set(ITEMS))
    if unknown:
        raise DomainError(_("Unknown scorecard items."), code="invalid",
                          extra={"fields": ["failed_items"], "items": unknown})
    failed = sorted(set(failed_items or ()) | {
        item for item, value in cleaned.items() if value < settings.QUALITY_PASS_SCORE},
        key=ITEMS.index)
    comment = (comment or "").strip()
    if verdict == Verdict.REJECTED:
        missing = [name for name, ok in (("comment", comment), ("failed_items", failed))
                   if not ok]
        if missing:
            raise DomainError(_("A rejection names the failed items and says why."),
                              code="missing_fields", extra={"fields": missing})
    name = Transition.APPROVE if verdict == Verdict.APPROVED else Transition.REJECT
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        check_transition_allowed(ticket, name, user)
        return do_review_ticket(ticket, acting_user=user, verdict=verdict, scores=cleaned,
                                comment=comment, failed_items=failed)


def do_review_ticket(ticket: Ticket, *, acting_user, verdict: str, scores: dict,
                     comment: str, failed_items: list) -> Ticket:
    """Caller holds the row lock. Stores the scorecard, runs approve or reject, and has routing
    relearn the agent's performance on the category after commit."""
    card = ReviewScorecard.objects.create(
        ticket=ticket, reviewer=acting_user, agent_id=ticket.owner_id,
        category_id=ticket.category_id, round=ticket.review_round, verdict=verdict,
        failed_items=failed_items, comment=comment, **scores)
    data = {"scorecard": {"id": card.pk, **scores, "total": card.total,
                          "failed_items": failed_items}}
    if verdict == Verdict.APPROVED:
        do_approve_review(ticket, acting_user=acting_user, note=comment, data=data)
    else:
        do_transition(ticket, Transition.REJECT, acting_user=acting_user, note=comment,
                      data=data)
    if card.agent_id:
        from routing.tasks import refresh_performance  # tickets → routing (DESIGN.md)

        enqueue_on_commit(refresh_performance, user_id=card.agent_id,
                          category_id=card.category_id)
    return ticket
