"""Station and courier API: each view parses, calls access_*/actions, serializes."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from stations import actions
from stations.api import serializers as s
from stations.selectors import access_station_task, membership, station_tasks_list
from tickets.api.permissions import IsStaffMember


class IsStationMember(BasePermission):
    """Station staff and couriers: their own station's tasks, nothing else."""

    def has_permission(self, request, view) -> bool:
        return membership(request.user) is not None


class IsCourier(BasePermission):
    def has_permission(self, request, view) -> bool:
        member = membership(request.user)
        return member is not None and member.role == "courier"


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TicketStationTasksView(APIView):
    """An agent sends a task to a station from a ticket."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=s.TaskCreateInput, responses={201: s.TaskCreatedOutput})
    def post(self, request, ticket_id: int):
        data = _valid(s.TaskCreateInput, request)
        task = actions.check_create_station_task(
            user=request.user, ticket_id=ticket_id, kind=data["kind"], note=data["note"],
            station_code=data.get("station") or None)
        return Response(s.TaskCreatedOutput(task).data, status=status.HTTP_201_CREATED)


class StationTaskListView(APIView):
    permission_classes = [IsStationMember]

    @extend_schema(responses=s.TaskOutput(many=True))
    def get(self, request):
        tasks = station_tasks_list(request.user)[:200]
        return Response(s.TaskOutput(tasks, many=True, context={"user": request.user}).data)


class StationTaskDetailView(APIView):
    permission_classes = [IsStationMember]

    @extend_schema(responses=s.TaskOutput)
    def get(self, request, task_id: int):
        task = access_station_task(request.user, task_id)
        return Response(s.TaskOutput(task, context={"user": request.user}).data)


class StationTaskCompleteView(APIView):
    permission_classes = [IsStationMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.TaskCompleteInput, responses=s.TaskOutput)
    def post(self, request, task_id: int):
        data = _valid(s.TaskCompleteInput, request)
        task = actions.check_complete_station_task(
            user=request.user, task_id=task_id, result=data["result"], note=data["note"],
            photo=data.get("photo"))
        task = access_station_task(request.user, task.pk)
        return Response(s.TaskOutput(task, context={"user": request.user}).data)


class AddressCheckCreateView(APIView):
    permission_classes = [IsCourier]

    @extend_schema(request=s.AddressCheckInput, responses={201: s.AddressCheckOutput})
    def post(self, request):
        data = _valid(s.AddressCheckInput, request)
        check = actions.check_create_address_check(
            user=request.user, tracking_number=data["tracking_number"], reason=data["reason"],
            note=data["note"])
        return Response(s.AddressCheckOutput(check).data, status=status.HTTP_201_CREATED)


class AddressCheckAnswerView(APIView):
    """The recipient's answer; the token from their message is the credential."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.AddressAnswerInput, responses=s.AddressCheckOutput)
    def post(self, request):
        data = _valid(s.AddressAnswerInput, request)
        check = actions.check_answer_address_check(
            token=data["token"], answer=data["answer"], new_address=data["new_address"],
            new_time=data["new_time"], note=data["note"])
        return Response(s.AddressCheckOutput(check).data)
