"""The chat API: customers with their own token; staff may act for a customer phone."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from chatbot import actions
from chatbot.api import serializers as s
from chatbot.models import Conversation
from config.errors import DomainError, NotFound
from tickets.actions import ensure_customer_user
from tickets.roles import Role, has_role, is_staff_member


class CanChat(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (
            has_role(user, Role.CUSTOMER) or is_staff_member(user)))


def access_conversation(user, conversation_id) -> Conversation:
    """The caller's own conversation (staff: any); 404 otherwise, exactly like a missing one."""
    qs = Conversation.objects.select_related("customer", "ticket")
    if not is_staff_member(user):
        qs = qs.filter(customer__user_id=user.pk)
    conversation = qs.filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("Conversation not found."))
    return conversation


class SessionCreateView(APIView):
    permission_classes = [CanChat]

    @extend_schema(request=s.SessionCreateInput, responses={201: s.SessionOutput})
    def post(self, request):
        data = s.SessionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if has_role(user, Role.CUSTOMER) and not is_staff_member(user):
            customer = getattr(user, "customer", None)
            if customer is None:
                raise NotFound(_("No customer profile for this login."))
        else:
            phone = data.validated_data.get("customer_phone")
            if not phone:
                raise DomainError(_("Staff must name the customer's phone."),
                                  code="missing_fields", extra={"fields": ["customer_phone"]})
            customer = ensure_customer_user(phone)
        conversation = actions.do_start_conversation(customer=customer)
        return Response({"id": conversation.pk, "status": conversation.status},
                        status=status.HTTP_201_CREATED)


class MessageView(APIView):
    permission_classes = [CanChat]

    @extend_schema(request=s.MessageInput, responses=s.TurnOutput)
    def post(self, request, conversation_id: int):
        conversation = access_conversation(request.user, conversation_id)
        data = s.MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(actions.check_post_message(conversation=conversation,
                                                   text=data.validated_data["text"]))


class TranscriptView(APIView):
    permission_classes = [CanChat]

    @extend_schema(responses=s.TranscriptOutput)
    def get(self, request, conversation_id: int):
        conversation = access_conversation(request.user, conversation_id)
        messages = [{"sender": m.sender, "text": m.text, "created_at": m.created_at,
                     **({"buttons": m.data["buttons"]} if m.data.get("buttons") else {})}
                    for m in conversation.messages.all()]
        ticket = conversation.ticket
        return Response(s.TranscriptOutput({
            "id": conversation.pk, "status": conversation.status,
            "ticket": {"number": ticket.number, "status": ticket.status} if ticket else None,
            "messages": messages}).data)
