from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.masking import mask_phone
from tickets.choices import Channel, CommentVisibility, Impact, Priority, Transition
from tickets.models import (
    Category,
    CsatSurvey,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)


class UserBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class CustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField(help_text="Masked: 138****8000.")
    tags = serializers.ListField(child=serializers.CharField())

    def get_phone(self, customer) -> str:
        return mask_phone(customer.phone)


class QueueBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TicketListOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    customer = CustomerOutput(allow_null=True)
    owner = UserBriefOutput(allow_null=True)
    queue = QueueBriefOutput(allow_null=True)
    waybills = serializers.SerializerMethodField()
    breached = serializers.BooleanField()

    class Meta:
        model = Ticket
        fields = ["id", "number", "title", "status", "priority", "category", "category_name",
                  "impact", "channel", "customer", "waybills", "region", "owner", "queue",
                  "response_due", "resolve_due", "first_responded_at", "resolved_at",
                  "closed_at", "breached", "escalated", "reopen_count", "parent", "tags",
                  "created_at", "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_waybills(self, ticket) -> list[str]:
        return [row.number for row in ticket.waybill_rows.all()]


class TicketCreatedOutput(serializers.Serializer):
    """The 201 answer, built from the objects the action just wrote (no re-read)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    category = serializers.CharField(source="category.code")
    channel = serializers.CharField()
    impact = serializers.CharField()
    customer = CustomerOutput(allow_null=True)
    waybills = serializers.ListField(child=serializers.CharField(), source="waybill_numbers")
    region = serializers.CharField()
    queue = QueueBriefOutput(allow_null=True)
    owner = UserBriefOutput(allow_null=True)
    response_due = serializers.DateTimeField(allow_null=True)
    resolve_due = serializers.DateTimeField(allow_null=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    context = serializers.DictField()
    created_at = serializers.DateTimeField()


class CsatOutput(serializers.ModelSerializer):
    class Meta:
        model = CsatSurvey
        fields = ["id", "score", "comment", "created_at", "answered_at"]


class TicketDetailOutput(TicketListOutput):
    children = serializers.SerializerMethodField()
    csat = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField(
        help_text="Transitions the requesting user may take now.")
    routing = serializers.SerializerMethodField(
        help_text="The latest routing decision (why this agent): strategy, queue, winner, "
                  "reason, candidates with their scores.")

    class Meta(TicketListOutput.Meta):
        fields = [*TicketListOutput.Meta.fields, "description", "context",
                  "response_breached_at", "resolve_breached_at", "children", "csat",
                  "transitions", "routing", "form", "merged_into", "merged_tickets",
                  "duplicates", "quality", "clock"]

    form = serializers.SerializerMethodField(
        help_text="The category's template: fields with values, what is missing "
                  "(GET/PATCH /api/tickets/{id}/form/).")
    merged_into = serializers.SerializerMethodField(
        help_text="Closed as a duplicate of this ticket.")
    merged_tickets = serializers.SerializerMethodField(
        help_text="Duplicates merged into this ticket.")
    duplicates = serializers.SerializerMethodField(
        help_text="Open tickets of the same customer and waybill: merge candidates.")
    quality = serializers.SerializerMethodField(
        help_text="Review round, the sampling decision and the latest findings' count "
                  "(details: /api/tickets/{id}/quality/).")

    clock = serializers.SerializerMethodField(
        help_text="The resolution clock: paused, since when, why (customer, customs, "
                  "station_task:<id>), resolve_due (tickets/actions/clock.py).")

    @extend_schema_field(serializers.DictField())
    def get_clock(self, ticket) -> dict:
        from tickets.actions.clock import clock_state

        return clock_state(ticket)

    @extend_schema_field(serializers.DictField())
    def get_form(self, ticket) -> dict:
        from tickets.selectors import ticket_form

        return ticket_form(ticket)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_merged_into(self, ticket) -> dict | None:
        if not ticket.merged_into_id:
            return None
        target = Ticket.objects.filter(pk=ticket.merged_into_id).values("id", "number").first()
        return target

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_merged_tickets(self, ticket) -> list[dict]:
        return list(ticket.merged_tickets.order_by("id").values("id", "number")[:100])

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_duplicates(self, ticket) -> list[dict]:
        from tickets.selectors import duplicate_candidates

        if ticket.status == "closed":
            return []
        return list(duplicate_candidates(ticket).values("id", "number", "status")[:20])

    @extend_schema_field(serializers.DictField())
    def get_quality(self, ticket) -> dict:
        return {"round": ticket.review_round,
                "findings": ticket.findings.filter(round=ticket.review_round).count()
                if ticket.review_round else 0}

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_routing(self, ticket) -> dict | None:
        from routing.selectors import decision_as_dict, latest_decision

        return decision_as_dict(latest_decision(ticket.pk))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, ticket) -> list[dict]:
        return [{"id": c.pk, "number": c.number, "status": c.status}
                for c in ticket.children.order_by("id")[:500]]

    @extend_schema_field(CsatOutput(allow_null=True))
    def get_csat(self, ticket):
        survey = ticket.surveys.order_by("-created_at").first()
        return CsatOutput(survey).data if survey else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, ticket) -> list[str]:
        user = self.context["request"].user
        return [t.name for t in ticket.get_available_user_status_transitions(user)]


class TicketCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.SlugField(help_text="Category code, e.g. lost_parcel.")
    priority = serializers.ChoiceField(Priority.choices, required=False)
    channel = serializers.ChoiceField(Channel.choices, default=Channel.AGENT)
    impact = serializers.ChoiceField(Impact.choices, default=Impact.SINGLE)
    customer_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    customer_name = serializers.CharField(required=False, allow_blank=True, default="",
                                          max_length=64)
    customer_tags = serializers.ListField(child=serializers.SlugField(), required=False,
                                          default=list)
    waybills = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                     default=list, max_length=50)
    region = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                 default=list, max_length=30)
    context = serializers.DictField(required=False, default=dict)
    queue = serializers.SlugField(required=False, help_text="Queue code.")
    parent = serializers.IntegerField(required=False, help_text="Batch incident id.")
    form = serializers.DictField(required=False, default=dict,
                                 help_text="The category's template fields (GET "
                                           "/api/categories/{code}/template/): code → value. "
                                           "400 `missing_fields` lists what a category needs.")


class TicketUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                 max_length=30)
    priority = serializers.ChoiceField(Priority.choices, required=False)
    category = serializers.SlugField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required for submit_review (the resolution).")
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Required for reject, transfer and reopen.")
    assignee = serializers.IntegerField(required=False, help_text="Agent user id (assign, "
                                        "transfer).")
    queue = serializers.IntegerField(required=False, help_text="Queue id (transfer).")
    into = serializers.IntegerField(required=False, help_text="Surviving ticket id (merge).")


TRANSITION_NAMES = Transition.values


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=10000)
    visibility = serializers.ChoiceField(CommentVisibility.choices,
                                         default=CommentVisibility.INTERNAL)


class CommentOutput(serializers.ModelSerializer):
    author = UserBriefOutput(allow_null=True)

    class Meta:
        model = TicketComment
        fields = ["id", "author", "visibility", "body", "created_at"]


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()
    comment = serializers.IntegerField(required=False)
    field = serializers.SlugField(required=False, allow_blank=True, default="",
                                  help_text="The template's evidence field this file proves, "
                                            "e.g. photo.")


class AttachmentOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "comment", "url",
                  "evidence_for", "created_at"]

    def get_url(self, attachment) -> str:
        return attachment.file.url


class EventOutput(serializers.ModelSerializer):
    actor = UserBriefOutput(allow_null=True)
    ticket_number = serializers.CharField(source="ticket.number", help_text=(
        "A duplicate merged into this ticket brings its trail: its events keep its number."))

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "note", "data",
                  "created_at", "ticket", "ticket_number"]


class CategoryOutput(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "default_priority"]
