"""Staff API of ticket templates, merging and quality review (tickets/quality/README.md).

Each view parses, calls access_*/selectors or an action, serializes (HackSoft style)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError, Forbidden, NotFound
from tickets import actions, selectors
from tickets.api.permissions import IsStaffMember
from tickets.choices import ReviewItem, Verdict
from tickets.roles import Role, has_role


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail(request, ticket_id):
    from tickets.api.views import _detail as detail  # the ticket detail everyone shows

    return detail(request, ticket_id)


class TemplateFieldOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    prompt = serializers.CharField()
    help_text = serializers.CharField()
    stage = serializers.CharField(help_text="create: needed to create the ticket; "
                                            "submit_review: evidence, checked at submission.")


class FormFieldOutput(TemplateFieldOutput):
    value = serializers.JSONField(allow_null=True)
    display = serializers.CharField(help_text="The value with phone/address masked.")
    missing = serializers.BooleanField()
    attachments = serializers.ListField(child=serializers.IntegerField(), required=False,
                                        help_text="Evidence fields: attachments proving it.")


class FormOutput(serializers.Serializer):
    category = serializers.CharField()
    fields = FormFieldOutput(many=True)
    missing = serializers.ListField(child=serializers.CharField())


class FormInput(serializers.Serializer):
    values = serializers.DictField(help_text="Field code → value; empty clears it.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CategoryTemplateView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=TemplateFieldOutput(many=True),
                   description="The fields a category's tickets need (ticket template).")
    def get(self, request, code: str):
        if selectors.category_get(code) is None:
            raise NotFound(_("Unknown category."))
        return Response(TemplateFieldOutput(selectors.category_template(code), many=True).data)


class TicketFormView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=FormOutput)
    def get(self, request, ticket_id: int):
        ticket = selectors.access_ticket(request.user, ticket_id)
        return Response(FormOutput(selectors.ticket_form(ticket)).data)

    @extend_schema(request=FormInput, responses=FormOutput,
                   description="Fills in template fields (owner, supervisor). 400 "
                               "`invalid_fields` with `errors` per field.")
    def patch(self, request, ticket_id: int):
        data = _valid(FormInput, request)
        ticket = actions.check_update_form(user=request.user, ticket_id=ticket_id,
                                           values=data["values"], reason=data["reason"])
        return Response(FormOutput(selectors.ticket_form(ticket)).data)


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(help_text="Id of the surviving ticket.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DuplicateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketMergeView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=MergeInput, responses={200: dict},
                   description="Merges this ticket (a duplicate) into `into`: comments, "
                               "attachments, waybills move; this one closes as merged. "
                               "Returns the surviving ticket's detail. 400 `not_duplicate`, "
                               "409 `merge_target_closed`.")
    def post(self, request, ticket_id: int):
        data = _valid(MergeInput, request)
        target = actions.check_merge_ticket(user=request.user, ticket_id=ticket_id,
                                            into_id=data["into"], reason=data["reason"])
        return Response(_detail(request, target.pk))


class TicketDuplicatesView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=DuplicateOutput(many=True),
                   description="Open tickets of the same customer about the same waybill.")
    def get(self, request, ticket_id: int):
        ticket = selectors.access_ticket(request.user, ticket_id)
        visible = selectors.visible_tickets(request.user)
        rows = selectors.duplicate_candidates(ticket).filter(pk__in=visible.values("pk"))
        return Response(DuplicateOutput(rows[:20], many=True).data)


class FindingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    source = serializers.CharField()
    round = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    agent = serializers.CharField(source="agent.username", allow_null=True, default=None)
    excerpt = serializers.CharField(help_text="Masked.")
    detail = serializers.DictField()
    created_at = serializers.DateTimeField()


class ScorecardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    verdict = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.username")
    accuracy = serializers.IntegerField()
    attitude = serializers.IntegerField()
    process = serializers.IntegerField()
    timeliness = serializers.IntegerField()
    total = serializers.FloatField()
    failed_items = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class QualityOutput(serializers.Serializer):
    round = serializers.IntegerField(help_text="Submissions for review so far.")
    sampling = serializers.DictField(allow_null=True,
                                     help_text="The latest submission's sampling decision.")
    findings = FindingOutput(many=True)
    current_findings = serializers.IntegerField(help_text="Findings of the latest submission.")
    scorecards = ScorecardOutput(many=True)
    form = FormOutput()


def quality_of(ticket) -> dict:
    findings = list(selectors.quality_findings(ticket))
    submitted = (ticket.events.filter(kind="transition", from_status="processing",
                                      to_status="review")
                 .order_by("-created_at", "-id").values_list("data", flat=True).first())
    return {"round": ticket.review_round,
            "sampling": (submitted or {}).get("sampling"),
            "findings": findings,
            "current_findings": sum(1 for f in findings if f.round == ticket.review_round),
            "scorecards": list(ticket.scorecards.select_related("reviewer")),
            "form": selectors.ticket_form(ticket)}


class ReviewInput(serializers.Serializer):
    verdict = serializers.ChoiceField(Verdict.choices)
    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5),
                                   help_text="accuracy, attitude, process, timeliness: 1–5.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    failed_items = serializers.ListField(child=serializers.ChoiceField(ReviewItem.choices),
                                         required=False, default=list)


class TicketQualityView(APIView):
    """What the reviewer sees (GET) and the verdict with its scorecard (POST)."""

    permission_classes = [IsStaffMember]

    @extend_schema(responses=QualityOutput)
    def get(self, request, ticket_id: int):
        ticket = selectors.access_ticket(request.user, ticket_id)
        return Response(QualityOutput(quality_of(ticket)).data)

    @extend_schema(request=ReviewInput, responses={200: dict},
                   description="Approve or reject (退回重处理) with the scorecard. A rejection "
                               "needs a comment and failed items (named or scored below the "
                               "pass mark). Returns the ticket's detail.")
    def post(self, request, ticket_id: int):
        data = _valid(ReviewInput, request)
        actions.check_review_ticket(user=request.user, ticket_id=ticket_id,
                                    verdict=data["verdict"], scores=data["scores"],
                                    comment=data["comment"], failed_items=data["failed_items"])
        return Response(_detail(request, ticket_id))


class AgentQualityOutput(serializers.Serializer):
    agent_id = serializers.IntegerField()
    username = serializers.CharField()
    findings = serializers.DictField(child=serializers.IntegerField())
    findings_total = serializers.IntegerField()
    reviews = serializers.IntegerField()
    rejected = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.FloatField())


class AgentQualityView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=AgentQualityOutput(many=True), parameters=[
        OpenApiParameter("since", str, description="ISO time (default: 30 days ago).")])
    def get(self, request):
        if not has_role(request.user, Role.SUPERVISOR, Role.REVIEWER, Role.OPS):
            raise Forbidden(_("Only reviewers and supervisors see quality figures."))
        since = timezone.now() - timedelta(days=30)
        if request.query_params.get("since"):
            since = parse_datetime(request.query_params["since"])
            if since is None:
                raise DomainError(_("`since` is an ISO date and time."), code="invalid")
        return Response(AgentQualityOutput(selectors.quality_by_agent(since), many=True).data)
