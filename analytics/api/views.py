"""Analytics API (supervisors and ops): KPIs, batch incidents, stored reports."""

import mimetypes
from pathlib import Path

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors
from analytics.api import serializers as s
from analytics.kpis import GROUP_BY, compute_kpis
from config.errors import NotFound
from tickets.roles import Role, has_role


class IsSupervisorOrOps(BasePermission):
    message = _("Only supervisors and operations staff may see analytics.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and has_role(request.user, Role.SUPERVISOR, Role.OPS))


class KpiView(APIView):
    permission_classes = [IsSupervisorOrOps]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="Start of the period (inclusive), ISO "
                             "8601 or a date; default 30 days before `to`."),
            OpenApiParameter("to", str, description="End of the period (exclusive), ISO 8601 "
                             "or a date; default now."),
            OpenApiParameter("group_by", str, enum=list(GROUP_BY),
                             description="Also per category, priority, queue, agent, region "
                                         "(province) or channel."),
        ],
        responses=s.KpiOutput,
        description="Service KPIs over a period; each figure's definition is in its schema.")
    def get(self, request):
        serializer = s.KpiInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = compute_kpis(user=request.user, start=data["from"], end=data["to"],
                              group_by=data.get("group_by") or None)
        return Response(s.KpiOutput(result).data)


class IncidentListView(APIView):
    permission_classes = [IsSupervisorOrOps]

    @extend_schema(parameters=[OpenApiParameter("status", str,
                                                enum=["open", "recovering", "closed"])],
                   responses=s.IncidentOutput(many=True))
    def get(self, request):
        rows = selectors.incident_list(status=request.query_params.get("status") or None)[:200]
        return Response(s.IncidentOutput(rows, many=True).data)


class ReportListView(APIView):
    permission_classes = [IsSupervisorOrOps]

    @extend_schema(responses=s.ReportOutput(many=True))
    def get(self, request):
        return Response(s.ReportOutput(selectors.report_list()[:100], many=True).data)


class ReportFileView(APIView):
    """One file of a stored report (report.html, kpis.csv, the PNG charts)."""

    permission_classes = [IsSupervisorOrOps]

    @extend_schema(responses={(200, "*/*"): bytes})
    def get(self, request, report_id: int, name: str):
        report = selectors.report_get(report_id)
        if report is None or name not in report.files:
            raise NotFound(_("Report file not found."))
        path = Path(report.directory) / name
        if not path.is_file():
            raise NotFound(_("Report file not found."))
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return FileResponse(path.open("rb"), content_type=content_type)
