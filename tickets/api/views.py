"""Staff ticket API: each view parses, calls access_*/actions, serializes (HackSoft style)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError, NotFound
from tickets import actions
from tickets.api import serializers as s
from tickets.api.filters import TicketFilter
from tickets.api.permissions import IsStaffMember
from tickets.choices import CommentVisibility
from tickets.models import Category, TicketComment
from tickets.roles import is_staff_member
from tickets.selectors import access_ticket, ticket_list, ticket_trail


class TicketListCreateView(GenericAPIView):
    permission_classes = [IsStaffMember]
    filterset_class = TicketFilter
    serializer_class = s.TicketListOutput

    def get_queryset(self):
        return ticket_list(self.request.user)

    @extend_schema(responses=s.TicketListOutput(many=True))
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.TicketListOutput(page, many=True).data)

    @extend_schema(request=s.TicketCreateInput, responses={201: s.TicketCreatedOutput})
    def post(self, request):
        data = _valid(s.TicketCreateInput, request)
        ticket = actions.check_create_ticket(
            user=request.user, title=data["title"], description=data["description"],
            category_code=data["category"], priority=data.get("priority"),
            channel=data["channel"], impact=data["impact"],
            customer_phone=data.get("customer_phone") or None,
            customer_name=data["customer_name"], customer_tags=data["customer_tags"],
            waybills=data["waybills"], region=data["region"], tags=data["tags"],
            context=data["context"], queue_code=data.get("queue"),
            parent_id=data.get("parent"), form_values=data["form"])
        return Response(s.TicketCreatedOutput(ticket).data, status=status.HTTP_201_CREATED,
                        headers={"Location": f"/api/tickets/{ticket.pk}/"})


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail(request, ticket_id):
    ticket = ticket_list(request.user).select_related("customer__user").filter(
        pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("Ticket not found."))
    return s.TicketDetailOutput(ticket, context={"request": request}).data


class TicketDetailView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=s.TicketDetailOutput)
    def get(self, request, ticket_id: int):
        return Response(_detail(request, ticket_id))

    @extend_schema(request=s.TicketUpdateInput, responses=s.TicketDetailOutput)
    def patch(self, request, ticket_id: int):
        data = dict(_valid(s.TicketUpdateInput, request, partial=True))
        if "category" in data:
            data["category_code"] = data.pop("category")
        actions.check_update_ticket(user=request.user, ticket_id=ticket_id, **data)
        return Response(_detail(request, ticket_id))


class TicketTransitionView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        request=s.TransitionInput, responses=s.TicketDetailOutput,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH,
                                     enum=s.TRANSITION_NAMES)],
        description="Runs one transition of the ticket state machine. 409 "
                    "`transition_not_allowed` when the state forbids it, 409 `conflict` when "
                    "someone else changed the ticket at the same time, 403 for the wrong role.")
    def post(self, request, ticket_id: int, name: str):
        action = actions.TRANSITION_ACTIONS.get(name)
        if action is None:
            raise NotFound(_("Unknown transition."))
        data = _valid(s.TransitionInput, request)
        kwargs = {"user": request.user, "ticket_id": ticket_id}
        if name == "assign":
            kwargs.update(assignee_id=data.get("assignee"), note=data["note"])
        elif name == "transfer":
            kwargs.update(assignee_id=data.get("assignee"), queue_id=data.get("queue"),
                          reason=data["reason"] or data["note"])
        elif name in ("release", "reject", "reopen"):
            kwargs["reason"] = data["reason"] or data["note"]
        elif name == "merge":
            kwargs.update(into_id=data.get("into"), reason=data["reason"] or data["note"])
        else:
            kwargs["note"] = data["note"]
        if name == "assign" and data.get("assignee") is None:
            raise DomainError(_("Assigning needs an assignee."), code="missing_fields",
                              extra={"fields": ["assignee"]})
        action(**kwargs)
        return Response(_detail(request, ticket_id))


class TicketCommentsView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=s.CommentOutput(many=True))
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        comments = TicketComment.objects.filter(ticket=ticket).select_related("author")
        if not is_staff_member(request.user):
            comments = comments.filter(visibility=CommentVisibility.PUBLIC)
        return Response(s.CommentOutput(comments, many=True).data)

    @extend_schema(request=s.CommentInput, responses={201: s.CommentOutput})
    def post(self, request, ticket_id: int):
        data = _valid(s.CommentInput, request)
        comment = actions.check_add_comment(user=request.user, ticket_id=ticket_id,
                                            body=data["body"], visibility=data["visibility"])
        return Response(s.CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class TicketAttachmentsView(APIView):
    permission_classes = [IsStaffMember]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=s.AttachmentOutput(many=True))
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        return Response(s.AttachmentOutput(ticket.attachments.all(), many=True).data)

    @extend_schema(request={"multipart/form-data": s.AttachmentInput},
                   responses={201: s.AttachmentOutput})
    def post(self, request, ticket_id: int):
        data = _valid(s.AttachmentInput, request)
        attachment = actions.check_add_attachment(user=request.user, ticket_id=ticket_id,
                                                  upload=data["file"],
                                                  comment_id=data.get("comment"),
                                                  evidence_for=data["field"])
        return Response(s.AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class TicketEventsView(GenericAPIView):
    permission_classes = [IsStaffMember]
    serializer_class = s.EventOutput

    @extend_schema(responses=s.EventOutput(many=True))
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        # With the trails of duplicates merged into it (selectors.ticket_trail).
        page = self.paginate_queryset(ticket_trail(ticket))
        return self.get_paginated_response(s.EventOutput(page, many=True).data)


class CategoryListView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=s.CategoryOutput(many=True))
    def get(self, request):
        categories = Category.objects.filter(active=True).select_related("parent")
        return Response(s.CategoryOutput(categories, many=True).data)

