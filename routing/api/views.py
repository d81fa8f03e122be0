"""Supervisor and agent routing API: parse, call selectors/actions, serialize."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from routing import actions, selectors
from routing.api import serializers as s
from tickets.roles import Role, has_role


class IsSupervisor(BasePermission):
    message = _("Supervisors only.")

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.SUPERVISOR, Role.OPS)


class IsAgent(BasePermission):
    message = _("Agents only.")

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.AGENT)


class QueueStatsView(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(responses=s.QueueStatsOutput(many=True))
    def get(self, request):
        now = timezone.now()
        queues = selectors.queue_stats(now)
        return Response(s.QueueStatsOutput(queues, many=True, context={"now": now}).data)


class AgentStatesView(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(responses=s.AgentStateOutput(many=True))
    def get(self, request):
        return Response(s.AgentStateOutput(selectors.agent_list(), many=True).data)


class MyStatusView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=s.StatusInput, responses=s.AgentStateOutput)
    def post(self, request):
        serializer = s.StatusInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.check_set_agent_status(user=request.user,
                                       status=serializer.validated_data["status"])
        profile = selectors.agent_list().get(user_id=request.user.pk)
        return Response(s.AgentStateOutput(profile).data)
