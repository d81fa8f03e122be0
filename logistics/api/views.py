"""Logistics API: webhooks for tracking sources, and the staff shipment endpoints."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotFound
from logistics import actions
from logistics.actions import LogisticsError
from logistics.actions.shipments import check_register_shipment
from logistics.api import serializers as s
from logistics.api.permissions import IsStaffMember
from logistics.selectors import shipment_get, trajectory


class WebhookView(APIView):
    """POST /api/logistics/webhooks/<source>/: a tracking source pushes here.

    No session or token: the source's signature is the authentication (csrf-exempt through
    APIView). Answers with the acknowledgement the source documents; errors are
    `{"detail", "code"}`: 401 bad signature (nothing stored), 400 malformed payload (kept as a
    dead letter), 500 processing failure (kept as a dead letter).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = []  # the raw body is what gets verified and archived

    @extend_schema(
        request={"application/x-www-form-urlencoded": bytes, "application/json": bytes},
        responses={200: bytes},
        parameters=[OpenApiParameter("token", str, OpenApiParameter.QUERY, required=False,
                                     description="SF only: the secret URL token.")])
    def post(self, request, source: str):
        result = actions.check_ingest_payload(
            source_code=source, body=request.body, headers=request.headers,
            url_token=request.GET.get("token", ""))
        if not result.ok:
            crashed = result.error_code == "processing_failed"
            raise LogisticsError(
                result.error if not crashed else _("The payload was kept but could not be "
                                                   "processed; it will be replayed."),
                code=result.error_code, status=500 if crashed else 400,
                extra={"payload_id": result.payload_id})
        ack = result.ack
        return HttpResponse(ack.body, status=ack.status, content_type=ack.content_type)


def _detail(shipment):
    return s.ShipmentDetailOutput(shipment, context={"events": trajectory(shipment)}).data


class ShipmentRegisterView(APIView):
    """POST /api/logistics/shipments/: register (or update) a shipment; 201 new, 200 known."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=s.ShipmentRegisterInput,
                   responses={201: s.ShipmentDetailOutput, 200: s.ShipmentDetailOutput},
                   description="Errors: `invalid` (field errors), `invalid_tracking_number`, "
                               "`unknown_carrier`, `carrier_not_detected` (with candidates), "
                               "`invalid_phone`, `unknown_goods`.")
    def post(self, request):
        serializer = s.ShipmentRegisterInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        shipment, created = check_register_shipment(acting_user=request.user,
                                                     **serializer.validated_data)
        return Response(_detail(shipment),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ShipmentDetailView(APIView):
    """GET /api/logistics/shipments/{tracking_number}/: snapshot, ETA and events."""

    permission_classes = [IsStaffMember]

    @extend_schema(responses=s.ShipmentDetailOutput)
    def get(self, request, tracking_number: str):
        shipment = shipment_get(tracking_number)
        if shipment is None:
            raise NotFound(_("Shipment not found."))
        return Response(_detail(shipment))
