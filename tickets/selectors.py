"""Reads of tickets that other apps and the API use. `access_*` fetch with a permission check."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from routing.models import Queue
from tickets.models import Category, Customer, Ticket, TicketEvent, TicketWaybill
from tickets.roles import Role, has_role, sees_all_tickets


def visible_tickets(user) -> QuerySet[Ticket]:
    """Tickets `user` may see: all for supervisors/reviewers/ops, own and own queues' for
    agents, own for customers, none otherwise."""
    qs = Ticket.objects.all()
    if sees_all_tickets(user):
        return qs
    if has_role(user, Role.AGENT):
        member_queues = Queue.members.through.objects.filter(user_id=user.pk).values("queue_id")
        return qs.filter(Q(owner_id=user.pk) | Q(queue_id__in=member_queues))
    if has_role(user, Role.CUSTOMER):
        return qs.filter(customer_id__in=Customer.objects.filter(user_id=user.pk).values("id"))
    return qs.none()


def access_ticket(user, ticket_id, *, lock: bool = False) -> Ticket:
    """The ticket if `user` may see it; 404 otherwise, exactly like a missing one.

    With `lock`, the caller must be inside `transaction.atomic()`: the row stays locked
    (SELECT … FOR UPDATE on PostgreSQL) until it commits.
    """
    qs = visible_tickets(user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=ticket_id)
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Ticket not found.")) from None


def ticket_list(user) -> QuerySet[Ticket]:
    """The list query with everything a list row shows, in a constant number of queries."""
    from django.db.models import Prefetch

    return visible_tickets(user).select_related(
        "category", "owner", "queue", "customer"
    ).prefetch_related(Prefetch("waybill_rows", queryset=TicketWaybill.objects.order_by("id")))


def ticket_with_waybill(number: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        Exists(TicketWaybill.objects.filter(ticket=OuterRef("pk"), number=number))
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def category_get(code: str) -> Category | None:
    return Category.objects.filter(code=code, active=True).first()


def customer_by_phone(phone: str) -> Customer | None:
    return Customer.objects.filter(phone=phone).first()


def customer_tickets(customer, *, number: str | None = None, categories=None) -> list[Ticket]:
    """A customer's tickets, open ones first, newest first (the chatbot's progress answers)."""
    qs = Ticket.objects.filter(customer=customer).select_related("category")
    if number:
        # A merged number answers with the ticket it was merged into: one number per case.
        number = survivor_number(customer, number)
        qs = qs.filter(number=number)
    else:
        qs = qs.filter(merged_into__isnull=True)
    if categories:
        qs = qs.filter(category__code__in=categories)
    return sorted(qs.order_by("-created_at")[:10], key=lambda t: t.status == "closed")


def console_groups(user) -> list[str]:
    """The live-event groups of a console user, mirroring visible_tickets: their own
    `user.<id>`; agents `queue.<id>` of each queue they belong to; supervisors (and ops)
    `role.supervisor`; reviewers `role.reviewer`. Empty for anyone who is not staff."""
    from tickets.roles import is_staff_member

    if not is_staff_member(user) or not user.is_active:
        return []
    groups = [f"user.{user.pk}"]
    if has_role(user, Role.AGENT) and not sees_all_tickets(user):
        groups += [f"queue.{pk}" for pk in Queue.members.through.objects.filter(
            user_id=user.pk).order_by("queue_id").values_list("queue_id", flat=True)]
    if has_role(user, Role.SUPERVISOR, Role.OPS):
        groups.append("role.supervisor")
    if has_role(user, Role.REVIEWER):
        groups.append("role.reviewer")
    return groups


def tickets_about_waybills(numbers) -> QuerySet[Ticket]:
    """Tickets naming any of these (normalised) waybill numbers (batch incidents' children)."""
    return Ticket.objects.filter(Exists(TicketWaybill.objects.filter(
        ticket=OuterRef("pk"), number__in=list(numbers))))


def closed_tickets(*, closed_since=None) -> QuerySet[Ticket]:
    """Closed tickets, earliest closing first, with category and waybills (the knowledge
    base's similar-ticket index reads these)."""
    qs = Ticket.objects.filter(status="closed").select_related("category")
    if closed_since is not None:
        qs = qs.filter(closed_at__gte=closed_since)
    return qs.order_by("closed_at", "id")


def resolution_notes(ticket_ids) -> dict[int, str]:
    """Each ticket's latest proposed resolution: the note of its last submit_review."""
    notes: dict[int, str] = {}
    rows = (TicketEvent.objects.filter(ticket_id__in=list(ticket_ids), to_status="review")
            .exclude(note="").order_by("created_at", "id").values_list("ticket_id", "note"))
    for ticket_id, note in rows:
        notes[ticket_id] = note
    return notes


# --- ticket templates, merging and quality review (issue #10; tickets/quality/README.md) ---
def survivor_number(customer, number: str) -> str:
    """The number a customer should follow: the surviving ticket's for a merged one."""
    for _hop in range(10):
        row = (Ticket.objects.filter(customer=customer, number=number)
               .values_list("merged_into__number", flat=True).first())
        if not row:
            return number
        number = row
    return number


def category_template(category_code: str) -> list[dict]:
    """The template fields of an active category, for forms and the chatbot's questions:
    code, label, kind, required, choices, prompt, help_text, stage (create or submit_review:
    evidence files are checked when the ticket is submitted for review)."""
    from tickets import catalog
    from tickets.quality import fields as template_fields

    category = catalog.active_category(category_code)
    if category is None:
        return []
    return [f.as_dict() for f in template_fields.fields_for(category.pk)]


def missing_template_fields(category_code: str, values: dict) -> list[dict]:
    """The required fields a creation with `values` would still lack (evidence excluded): the
    questions the chatbot asks, exactly these."""
    from tickets import catalog
    from tickets.quality import fields as template_fields

    category = catalog.active_category(category_code)
    if category is None:
        return []
    return [f.as_dict() for f in template_fields.missing_required(category.pk, values or {})]


def ticket_form(ticket: Ticket) -> dict:
    """The ticket's template as the console shows it: each field with its value (`display`:
    masked phone or address), what is missing, evidence with the attachments that prove it."""
    from tickets.quality import fields as template_fields

    fields = template_fields.fields_for(ticket.category_id)
    values = ticket.form_values or {}
    evidence = template_fields.evidence_status(
        ticket.category_id, list(ticket.attachments.only("id", "evidence_for"))
    ) if any(f.evidence for f in fields) else {}
    rows, missing = [], []
    gaps = {f.code for f in template_fields.missing_required(ticket.category_id, values)}
    for field in fields:
        row = field.as_dict()
        if field.evidence:
            row["attachments"] = evidence.get(field.code, [])
            row["value"], row["display"] = None, ""
            row["missing"] = not row["attachments"] and field.required
        else:
            value = values.get(field.code)
            row["value"], row["display"] = value, template_fields.display(field, value)
            row["missing"] = field.code in gaps
        if row["missing"]:
            missing.append(field.code)
        rows.append(row)
    return {"category": ticket.category.code, "fields": rows, "missing": missing}


def duplicate_candidates(ticket: Ticket) -> QuerySet[Ticket]:
    """Open tickets of the same customer about one of this ticket's waybills: the merge hint."""
    if ticket.customer_id is None:
        return Ticket.objects.none()
    numbers = TicketWaybill.objects.filter(ticket=ticket).values("number")
    return (Ticket.objects.filter(customer_id=ticket.customer_id, merged_into__isnull=True)
            .exclude(pk=ticket.pk).exclude(status="closed")
            .filter(Exists(TicketWaybill.objects.filter(ticket=OuterRef("pk"),
                                                        number__in=numbers)))
            .order_by("created_at", "id"))


def merged_ticket_ids(ticket: Ticket) -> list[int]:
    """This ticket and every ticket merged into it (directly or through another)."""
    ids, frontier = [ticket.pk], [ticket.pk]
    while frontier:
        frontier = list(Ticket.objects.filter(merged_into_id__in=frontier)
                        .values_list("pk", flat=True))
        ids += frontier
    return ids


def ticket_trail(ticket: Ticket) -> QuerySet[TicketEvent]:
    """The ticket's audit trail with the trails of the duplicates merged into it (their
    events stay on the duplicate: the trail is append-only)."""
    ids = [ticket.pk] if ticket.merged_into_id else merged_ticket_ids(ticket)
    return (TicketEvent.objects.filter(ticket_id__in=ids).select_related("actor", "ticket")
            .order_by("created_at", "id"))


def quality_findings(ticket: Ticket):
    from tickets.models import QualityFinding

    return QualityFinding.objects.filter(ticket=ticket).select_related("agent", "comment")


def review_score_averages(since, *, user_id=None, category_id=None) -> dict:
    """(agent id, category id) → (mean scorecard total 1–5, number of scorecards) since
    `since`: routing learns agents' performance from it."""
    from django.db.models import Avg, Count, F

    from tickets.models import ReviewScorecard

    qs = ReviewScorecard.objects.filter(created_at__gte=since, agent__isnull=False)
    if user_id is not None:
        qs = qs.filter(agent_id=user_id)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    rows = qs.values("agent_id", "category_id").annotate(
        total=Avg(F("accuracy") + F("attitude") + F("process") + F("timeliness")),
        n=Count("id")).order_by()
    return {(r["agent_id"], r["category_id"]): (float(r["total"]) / 4, r["n"]) for r in rows}


def quality_by_agent(since) -> list[dict]:
    """Per agent since `since`: findings by kind, reviews, rejections, mean item scores."""
    from django.db.models import Avg, Count, Q

    from tickets.models import QualityFinding, ReviewScorecard

    out: dict[int, dict] = {}
    for row in (QualityFinding.objects.filter(created_at__gte=since, agent__isnull=False)
                .values("agent_id", "agent__username", "kind").annotate(n=Count("id"))
                .order_by()):
        entry = out.setdefault(row["agent_id"], {
            "agent_id": row["agent_id"], "username": row["agent__username"], "findings": {},
            "reviews": 0, "rejected": 0, "scores": {}})
        entry["findings"][row["kind"]] = row["n"]
    items = ("accuracy", "attitude", "process", "timeliness")
    for row in (ReviewScorecard.objects.filter(created_at__gte=since, agent__isnull=False)
                .values("agent_id", "agent__username")
                .annotate(n=Count("id"), rejected=Count("id", filter=Q(verdict="rejected")),
                          **{item: Avg(item) for item in items}).order_by()):
        entry = out.setdefault(row["agent_id"], {
            "agent_id": row["agent_id"], "username": row["agent__username"], "findings": {},
            "reviews": 0, "rejected": 0, "scores": {}})
        entry["reviews"], entry["rejected"] = row["n"], row["rejected"]
        entry["scores"] = {item: round(float(row[item]), 2) for item in items}
    for entry in out.values():
        entry["findings_total"] = sum(entry["findings"].values())
    return sorted(out.values(), key=lambda e: e["username"])
