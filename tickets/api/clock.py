"""The resolution clock of a ticket: its state, and waiting on the customer
(tickets/actions/clock.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.actions.clock import check_customer_answered, check_wait_on_customer, clock_state
from tickets.api.permissions import IsStaffMember
from tickets.selectors import access_ticket


class ClockOutput(serializers.Serializer):
    paused = serializers.BooleanField()
    paused_at = serializers.DateTimeField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    resolve_due = serializers.DateTimeField(allow_null=True)


class WaitInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TicketClockView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=ClockOutput)
    def get(self, request, ticket_id: int):
        return Response(clock_state(access_ticket(request.user, ticket_id)))


class WaitOnCustomerView(APIView):
    """The agent asked the customer something: the resolution clock waits for the answer."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=WaitInput, responses=ClockOutput)
    def post(self, request, ticket_id: int):
        data = WaitInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = check_wait_on_customer(user=request.user, ticket_id=ticket_id,
                                        note=data.validated_data["note"])
        return Response(clock_state(ticket))


class CustomerAnsweredView(APIView):
    """The customer answered outside the ticket's thread (e.g. by phone): the clock runs."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=None, responses=ClockOutput)
    def post(self, request, ticket_id: int):
        return Response(clock_state(check_customer_answered(user=request.user,
                                                            ticket_id=ticket_id)))
