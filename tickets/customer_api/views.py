"""/api/customer/: the WeChat mini-program's backend. Each view parses, fetches through a
customer-scoped selector, calls an action, serializes. Token authentication only."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from logistics import selectors as logistics
from tickets import actions
from tickets.actions import customer as customer_actions
from tickets.customer_api import login
from tickets.customer_api import selectors as sel
from tickets.customer_api import serializers as s
from tickets.customer_api.permissions import CUSTOMER_AUTHENTICATION, IsCustomer
from tickets.customer_api.progress import timeline
from tickets.customer_api.throttles import (
    CustomerAuthIpThrottle,
    CustomerBindThrottle,
    CustomerIpThrottle,
    CustomerUserThrottle,
    client_ip,
)
from tickets.selectors import access_ticket, ticket_events

TAGS = ["customer"]


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CustomerView(GenericAPIView):
    """Base of every signed-in customer endpoint."""

    authentication_classes = CUSTOMER_AUTHENTICATION
    permission_classes = [IsCustomer]
    throttle_classes = [CustomerUserThrottle, CustomerIpThrottle]
    filter_backends = []

    @property
    def customer(self):
        return customer_actions.customer_of(self.request.user)


# --- sign-in ---
class AuthView(GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [CustomerAuthIpThrottle]


def _signed_in(result) -> Response:
    token = customer_actions.do_issue_customer_token(result.customer)
    customer = result.customer
    return Response(s.CustomerLoginOutput({"token": token, "created": result.created, "customer": {
        "id": customer.pk, "phone": customer.phone, "name": customer.name}}).data)


class SmsCodeView(AuthView):
    serializer_class = s.SmsCodeInput

    @extend_schema(tags=TAGS, request=s.SmsCodeInput, responses={
        200: s.SmsCodeOutput, 503: OpenApiResponse(s.ErrorOutput, "sms_unavailable")},
        description="Sends a login code by SMS. 429 `sms_rate_limited` (per phone: one a "
                    "minute and a few an hour; per IP) or `login_locked`, with `retry_after`.")
    def post(self, request):
        data = _valid(s.SmsCodeInput, request)
        return Response(login.send_login_code(data["phone"], ip=client_ip(request)))


class SmsLoginView(AuthView):
    serializer_class = s.SmsLoginInput

    @extend_schema(tags=TAGS, request=s.SmsLoginInput, responses=s.CustomerLoginOutput,
                   description="Phone + SMS code → customer token (the customer is created on "
                               "the first sign-in). 400 `code_invalid` (with `tries_left`) or "
                               "`code_expired`; 429 `login_locked` after too many wrong codes.")
    def post(self, request):
        data = _valid(s.SmsLoginInput, request)
        result = login.get_login_backend("sms").authenticate(data, ip=client_ip(request))
        return _signed_in(result)


class WeChatLoginView(AuthView):
    serializer_class = s.WeChatLoginInput

    @extend_schema(tags=TAGS, request=s.WeChatLoginInput, responses={
        200: s.CustomerLoginOutput, 503: OpenApiResponse(s.ErrorOutput, "wechat_unavailable")},
        description="WeChat mini-program login (code2session). A new WeChat account answers 400 "
                    "`wechat_not_linked` until sent once with `phone` and `sms_code`.")
    def post(self, request):
        data = _valid(s.WeChatLoginInput, request)
        result = login.get_login_backend("wechat").authenticate(data, ip=client_ip(request))
        return _signed_in(result)


class LogoutView(CustomerView):
    @extend_schema(tags=TAGS, request=None, responses={204: None},
                   description="Revokes this customer's token (every device).")
    def post(self, request):
        customer_actions.do_revoke_customer_token(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.CustomerMeOutput)
    def get(self, request):
        customer = self.customer
        return Response(s.CustomerMeOutput({"id": customer.pk, "phone": customer.phone,
                                    "name": customer.name}).data)


# --- parcels ---
def _relations(customer, shipments, bound) -> dict:
    return {sh.tracking_number: customer_actions.shipment_role(customer, sh, bound)
            for sh in shipments}


class ShipmentListView(CustomerView):
    throttle_classes = [*CustomerView.throttle_classes, CustomerBindThrottle]
    serializer_class = s.CustomerShipmentOutput

    @extend_schema(tags=TAGS, responses=s.CustomerShipmentOutput(many=True),
                   description="Parcels with your phone on them, and those you added.")
    def get(self, request):
        customer = self.customer
        shipments, bound = sel.customer_shipments(customer)
        page = self.paginate_queryset(shipments)
        context = {"relations": _relations(customer, page, bound)}
        return self.get_paginated_response(s.CustomerShipmentOutput(page, many=True,
                                                            context=context).data)

    @extend_schema(tags=TAGS, request=s.CustomerShipmentBindInput, responses={
        201: s.CustomerShipmentOutput, 200: s.CustomerShipmentOutput},
        description="Adds a parcel by waybill + the last 4 digits of its sender's or "
                    "recipient's phone. 404 `shipment_not_found` for a wrong waybill or wrong "
                    "digits alike. Few tries an hour (429).")
    def post(self, request):
        data = _valid(s.CustomerShipmentBindInput, request)
        shipment, created = customer_actions.check_bind_shipment(
            user=request.user, number=data["number"], phone_last4=data["phone_last4"])
        relations = _relations(self.customer, [shipment], {shipment.tracking_number})
        return Response(s.CustomerShipmentOutput(shipment, context={"relations": relations}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ShipmentDetailView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.CustomerShipmentDetailOutput)
    def get(self, request, number: str):
        customer = self.customer
        shipment = sel.access_customer_shipment(customer, number)
        shipment.eta_now = logistics.shipment_eta(shipment)
        relations = _relations(customer, [shipment], sel.bound_numbers(customer))
        return Response(s.CustomerShipmentDetailOutput(
            shipment, context={"relations": relations}).data)


class ShipmentTrajectoryView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.CustomerTrajectoryOutput,
                   description="Every scan, oldest first; phone numbers in texts masked.")
    def get(self, request, number: str):
        shipment = sel.access_customer_shipment(self.customer, number)
        return Response(s.CustomerTrajectoryOutput({"number": shipment.tracking_number,
                                            "events": logistics.trajectory(shipment)}).data)


class ShipmentEtaView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.CustomerEtaOutput)
    def get(self, request, number: str):
        shipment = sel.access_customer_shipment(self.customer, number)
        return Response(s.CustomerEtaOutput(logistics.shipment_eta(shipment)).data)


# --- tickets ---
class TicketListView(CustomerView):
    serializer_class = s.CustomerTicketListItemOutput

    @extend_schema(tags=TAGS, responses=s.CustomerTicketListItemOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(sel.customer_ticket_list(self.customer))
        return self.get_paginated_response(s.CustomerTicketListItemOutput(page, many=True).data)


def _ticket_detail(request, ticket_id) -> dict:
    ticket = access_ticket(request.user, ticket_id)
    ticket = sel.customer_ticket_list(ticket.customer).get(pk=ticket.pk)
    survey = ticket.surveys.order_by("-created_at").first()
    until = customer_actions.reopen_deadline(ticket)
    ticket.timeline = timeline(ticket, ticket_events(ticket), customer_user_id=request.user.pk)
    ticket.can_reopen = until is not None and timezone.now() <= until
    ticket.reopen_until = until
    ticket.csat = None if survey is None else {
        "pending": survey.answered_at is None, "score": survey.score,
        "comment": survey.comment, "answered_at": survey.answered_at}
    ticket.delivery_change = ticket.context.get("delivery_change") or None
    check = ticket.context.get("station_check") or {}
    ticket.station_check = ({"state": check["state"], "label": check.get("label", "")}
                            if check.get("state") in ("checking", "answered") else None)
    return s.CustomerTicketDetailOutput(ticket).data


class TicketDetailView(CustomerView):
    @extend_schema(tags=TAGS, responses=s.CustomerTicketDetailOutput,
                   description="Progress in customer words (stage, timeline), whether it may "
                               "be reopened (二次投诉) and until when, the satisfaction survey.")
    def get(self, request, ticket_id: int):
        return Response(_ticket_detail(request, ticket_id))


def _comment_out(comment, user) -> dict:
    mine = comment.author_id == user.pk
    return {"id": comment.pk, "from_me": mine, "author": _("You") if mine else
            _("Customer service"), "body": comment.body, "created_at": comment.created_at}


class TicketCommentsView(CustomerView):
    pagination_class = None  # a ticket's thread is short: the whole list
    serializer_class = s.CustomerCommentInput

    @extend_schema(tags=TAGS, responses=s.CustomerCommentOutput(many=True))
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        return Response(s.CustomerCommentOutput(
            [_comment_out(c, request.user) for c in sel.customer_comments(ticket)],
            many=True).data)

    @extend_schema(tags=TAGS, request=s.CustomerCommentInput,
                   responses={201: s.CustomerCommentOutput},
                   description="Adds information to the ticket's thread (audited).")
    def post(self, request, ticket_id: int):
        data = _valid(s.CustomerCommentInput, request)
        comment = actions.check_add_comment(user=request.user, ticket_id=ticket_id,
                                            body=data["body"], visibility="public")
        return Response(s.CustomerCommentOutput(_comment_out(comment, request.user)).data,
                        status=status.HTTP_201_CREATED)


class TicketAttachmentsView(CustomerView):
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None
    serializer_class = s.CustomerAttachmentInput

    @extend_schema(tags=TAGS, responses=s.CustomerAttachmentOutput(many=True))
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        return Response(s.CustomerAttachmentOutput(sel.customer_attachments(ticket, request.user),
                                                   many=True).data)

    @extend_schema(tags=TAGS, request={"multipart/form-data": s.CustomerAttachmentInput},
                   responses={201: s.CustomerAttachmentOutput},
                   description="Evidence: accepted by the file's bytes (JPEG, PNG, GIF, WebP, "
                               "PDF), up to ATTACHMENT_MAX_BYTES. 400 `unsupported_file_type` "
                               "or `file_too_large`.")
    def post(self, request, ticket_id: int):
        access_ticket(request.user, ticket_id)  # 404 before looking at the upload
        data = _valid(s.CustomerAttachmentInput, request)
        attachment = actions.check_add_attachment(user=request.user, ticket_id=ticket_id,
                                                  upload=data["file"])
        return Response(s.CustomerAttachmentOutput(attachment).data,
                        status=status.HTTP_201_CREATED)


class TicketReopenView(CustomerView):
    serializer_class = s.CustomerReopenInput

    @extend_schema(tags=TAGS, request=s.CustomerReopenInput, responses=s.CustomerTicketDetailOutput,
                   description="二次投诉: reopens a resolved ticket within the reopen window. 409 "
                               "`reopen_window_passed` after it, `transition_not_allowed` "
                               "while the ticket is still open.")
    def post(self, request, ticket_id: int):
        access_ticket(request.user, ticket_id)
        data = _valid(s.CustomerReopenInput, request)
        customer_actions.check_customer_reopen(user=request.user, ticket_id=ticket_id,
                                               reason=data["reason"])
        return Response(_ticket_detail(request, ticket_id))


class TicketCsatView(CustomerView):
    serializer_class = s.CustomerCsatInput

    @extend_schema(tags=TAGS, request=s.CustomerCsatInput, responses=s.CustomerCsatOutput,
                   description="Answers the satisfaction survey of a resolved ticket (once: "
                               "409 `already_answered`).")
    def post(self, request, ticket_id: int):
        access_ticket(request.user, ticket_id)
        data = _valid(s.CustomerCsatInput, request)
        survey = actions.check_answer_csat(user=request.user, ticket_id=ticket_id,
                                           score=data["score"], comment=data["comment"])
        return Response(s.CustomerCsatOutput({
            "pending": False, "score": survey.score, "comment": survey.comment,
            "answered_at": survey.answered_at}).data)


class DeliveryChangeView(CustomerView):
    serializer_class = s.CustomerDeliveryChangeInput

    @extend_schema(tags=TAGS, request=s.CustomerDeliveryChangeInput,
                   responses={201: s.CustomerTicketDetailOutput},
                   description="New address, new time or self-pickup for one of your parcels: "
                               "becomes a ticket (category change_delivery) with the waybill. "
                               "404 `shipment_not_found` for a parcel that is not yours, 409 "
                               "`change_already_requested` while one is open.")
    def post(self, request):
        data = _valid(s.CustomerDeliveryChangeInput, request)
        with transaction.atomic():
            ticket = customer_actions.check_request_delivery_change(user=request.user, **data)
        return Response(_ticket_detail(request, ticket.pk), status=status.HTTP_201_CREATED,
                        headers={"Location": f"/api/customer/tickets/{ticket.pk}/"})
