"""Input/Output serializers of /api/customer/. Phone numbers and addresses of outputs are
masked (config/masking.py) except the customer's own number on their profile."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.masking import mask_address, mask_phone, mask_text
from tickets.actions.customer import DELIVERY_CHANGE_KINDS
from tickets.customer_api.progress import STAGE_CODES, STAGES, stage_of


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


# --- sign-in ---
class SmsCodeInput(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="Mainland mobile number.")


class SmsCodeOutput(serializers.Serializer):
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")
    resend_in = serializers.IntegerField(help_text="Seconds before another code may be sent.")


class SmsLoginInput(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=10)


class WeChatLoginInput(serializers.Serializer):
    code = serializers.CharField(max_length=128, help_text="From wx.login().")
    phone = serializers.CharField(max_length=20, required=False,
                                  help_text="First WeChat login only: the phone to link.")
    sms_code = serializers.CharField(max_length=10, required=False,
                                     help_text="First WeChat login only: its SMS code.")


class CustomerMeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField(help_text="The customer's own number, unmasked.")
    name = serializers.CharField()


class CustomerLoginOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    created = serializers.BooleanField(help_text="True on the very first sign-in.")
    customer = CustomerMeOutput()


# --- parcels ---
class CustomerEtaOutput(serializers.Serializer):
    time = serializers.DateTimeField(allow_null=True)
    confidence = serializers.CharField(allow_blank=True, allow_null=True)
    explanation = serializers.CharField(allow_blank=True, allow_null=True)


class CustomerShipmentOutput(serializers.Serializer):
    number = serializers.CharField(source="tracking_number")
    carrier = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    origin = serializers.CharField()
    destination = serializers.CharField()
    goods = serializers.ListField(child=serializers.CharField())
    last_event_at = serializers.DateTimeField(allow_null=True)
    last_location = serializers.CharField()
    last_description = serializers.SerializerMethodField()
    stalled = serializers.BooleanField()
    relation = serializers.SerializerMethodField(
        help_text="recipient or sender (your phone is on it), or added (by waybill).")
    recipient_phone = serializers.SerializerMethodField(help_text="Masked.")
    sender_phone = serializers.SerializerMethodField(help_text="Masked.")

    def get_last_description(self, shipment) -> str:
        return mask_text(shipment.last_description or "")

    @extend_schema_field(serializers.ChoiceField(["recipient", "sender", "added"]))
    def get_relation(self, shipment) -> str:
        return self.context["relations"].get(shipment.tracking_number, "added")

    def get_recipient_phone(self, shipment) -> str:
        return mask_phone(shipment.recipient_phone)

    def get_sender_phone(self, shipment) -> str:
        return mask_phone(shipment.sender_phone)


class CustomerShipmentDetailOutput(CustomerShipmentOutput):
    eta = CustomerEtaOutput(source="eta_now")


class CustomerShipmentBindInput(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="Waybill number.")
    phone_last4 = serializers.RegexField(r"^\d{4}$", help_text="Last 4 digits of the sender's "
                                         "or recipient's phone.")


class CustomerTrackingEventOutput(serializers.Serializer):
    time = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    location = serializers.CharField()
    description = serializers.SerializerMethodField()

    def get_description(self, event) -> str:
        return mask_text(event.description or "")


class CustomerTrajectoryOutput(serializers.Serializer):
    number = serializers.CharField()
    events = CustomerTrackingEventOutput(many=True)


# --- tickets ---
class CustomerCsatOutput(serializers.Serializer):
    pending = serializers.BooleanField(help_text="A survey waits for your answer.")
    score = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class CustomerTicketListItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    stage = serializers.SerializerMethodField()
    stage_label = serializers.SerializerMethodField(help_text="e.g. 已受理, 正在核实, 已解决.")
    waybills = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(STAGE_CODES))
    def get_stage(self, ticket) -> str:
        return stage_of(ticket)

    def get_stage_label(self, ticket) -> str:
        return str(STAGES[stage_of(ticket)])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_waybills(self, ticket) -> list[str]:
        return [row.number for row in ticket.waybill_rows.all()]


class CustomerTimelineStepOutput(serializers.Serializer):
    step = serializers.CharField(help_text="accepted, verifying, confirming, resolved, "
                                 "reopened, info_added, evidence_added, reply, rated, "
                                 "station_checking, station_replied.")
    label = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()


class CustomerDeliveryChangeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(DELIVERY_CHANGE_KINDS)
    address = serializers.SerializerMethodField(help_text="Masked.")
    preferred_date = serializers.CharField(allow_blank=True)
    time_slot = serializers.CharField(allow_blank=True)
    pickup_point = serializers.CharField(allow_blank=True)

    def get_address(self, change) -> str:
        return mask_address(change.get("address", ""))


class CustomerStationCheckOutput(serializers.Serializer):
    state = serializers.ChoiceField(["checking", "answered"])
    label = serializers.CharField(help_text="网点核实中 / 网点已反馈.")


class CustomerTicketDetailOutput(CustomerTicketListItemOutput):
    description = serializers.SerializerMethodField()
    timeline = CustomerTimelineStepOutput(many=True)
    can_reopen = serializers.BooleanField()
    reopen_until = serializers.DateTimeField(allow_null=True)
    csat = CustomerCsatOutput(allow_null=True)
    delivery_change = CustomerDeliveryChangeOutput(allow_null=True)
    station_check = CustomerStationCheckOutput(
        allow_null=True, help_text="When the delivery station was asked to check (stations).")

    def get_description(self, ticket) -> str:
        if ticket.context.get("delivery_change"):
            return ""  # it spells the full address out for the station; shown masked above
        return mask_text(ticket.description or "")


class CustomerCommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class CustomerCommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    from_me = serializers.BooleanField()
    author = serializers.CharField(help_text="您 or 客服: agents' names are not shown.")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class CustomerAttachmentInput(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, GIF, WebP or PDF; checked by content.")


class CustomerAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class CustomerReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the problem is not solved.")


class CustomerCsatInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                    default="")


class CustomerDeliveryChangeInput(serializers.Serializer):
    waybill = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(DELIVERY_CHANGE_KINDS)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    default="", help_text="kind=address: the new address.")
    preferred_date = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="kind=time (or any): the day.")
    time_slot = serializers.ChoiceField(["morning", "afternoon", "evening"], required=False,
                                        allow_blank=True, default="")
    pickup_point = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                         default="", help_text="kind=self_pickup: station or "
                                         "locker, when you have one in mind.")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
