"""The chat as the signed-in customer (/api/customer/chat/): their own conversations only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from chatbot import actions
from chatbot.api import serializers as s
from chatbot.api.views import access_conversation
from chatbot.models import Conversation
from config.masking import mask_text
from tickets.customer_api.views import CustomerView

TAGS = ["customer"]


class ConversationListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    ticket = s.TicketBriefOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _brief(conversation) -> dict:
    ticket = conversation.ticket
    return {"id": conversation.pk, "status": conversation.status,
            "ticket": {"number": ticket.number, "status": ticket.status} if ticket else None,
            "created_at": conversation.created_at, "updated_at": conversation.updated_at}


class CustomerSessionsView(CustomerView):
    serializer_class = ConversationListOutput

    @extend_schema(tags=TAGS, responses=ConversationListOutput(many=True))
    def get(self, request):
        qs = (Conversation.objects.filter(customer=self.customer).select_related("ticket")
              .order_by("-updated_at", "-id"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ConversationListOutput(
            [_brief(c) for c in page], many=True).data)

    @extend_schema(tags=TAGS, request=None, responses={201: s.SessionOutput})
    def post(self, request):
        conversation = actions.do_start_conversation(customer=self.customer)
        return Response({"id": conversation.pk, "status": conversation.status},
                        status=status.HTTP_201_CREATED)


class CustomerTranscriptView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.TranscriptOutput)
    def get(self, request, conversation_id: int):
        conversation = access_conversation(request.user, conversation_id)
        messages = [{"sender": m.sender, "text": mask_text(m.text) if m.sender != "customer"
                     else m.text, "created_at": m.created_at,
                     **({"buttons": m.data["buttons"]} if m.data.get("buttons") else {})}
                    for m in conversation.messages.all()]
        ticket = conversation.ticket
        return Response(s.TranscriptOutput({
            "id": conversation.pk, "status": conversation.status,
            "ticket": {"number": ticket.number, "status": ticket.status} if ticket else None,
            "messages": messages}).data)


class CustomerMessageView(CustomerView):
    serializer_class = s.MessageInput

    @extend_schema(tags=TAGS, request=s.MessageInput, responses=s.TurnOutput)
    def post(self, request, conversation_id: int):
        conversation = access_conversation(request.user, conversation_id)
        data = s.MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(actions.check_post_message(conversation=conversation,
                                                   text=data.validated_data["text"]))
