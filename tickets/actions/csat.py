from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden, NotFound
from tickets.actions.common import push_ticket, record_event
from tickets.choices import EventKind
from tickets.models import CsatSurvey
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket


def check_answer_csat(*, user, ticket_id, score, comment: str = "") -> CsatSurvey:
    """The customer's 1–5 score for a closed ticket's latest survey; answered once."""
    if not has_role(user, Role.CUSTOMER):
        raise Forbidden(_("Only the customer answers the satisfaction survey."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("The score must be a whole number from 1 to 5."),
                          code="invalid_score")
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        survey = ticket.surveys.select_for_update().order_by("-created_at").first()
        if survey is None:
            raise NotFound(_("This ticket has no satisfaction survey."))
        if survey.answered_at is not None:
            raise DomainError(_("The survey was already answered."), code="already_answered",
                              status=409)
        return do_answer_csat(survey, acting_user=user, score=score, comment=comment)


def do_answer_csat(survey: CsatSurvey, *, acting_user, score: int, comment: str) -> CsatSurvey:
    survey.score, survey.comment = score, (comment or "").strip()[:2000]
    survey.answered_at = timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    record_event(survey.ticket, EventKind.CSAT, actor=acting_user,
                 data={"survey_id": survey.pk, "score": score})
    push_ticket(survey.ticket, op="update", change="csat")
    return survey
