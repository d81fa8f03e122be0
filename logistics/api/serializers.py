from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.masking import mask_phone
from logistics.carriers import CARRIERS
from logistics.choices import Goods
from logistics.models import Shipment, TrackingEvent
from logistics.selectors import shipment_eta


class ShipmentRegisterInput(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=60)
    carrier = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                    help_text="Our carrier code (sf, yto, zto, …); detected "
                                              "from the number when omitted.")
    sender_phone = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                         default="")
    recipient_phone = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                            default="")
    origin = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    destination = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                        default="")
    goods = serializers.ListField(child=serializers.ChoiceField(Goods.choices), required=False,
                                  default=list, max_length=5)


class TrackingEventOutput(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["time", "status", "location", "description", "exception_reason", "source"]


class ShipmentOutput(serializers.ModelSerializer):
    carrier_name = serializers.SerializerMethodField()
    sender_phone = serializers.SerializerMethodField(help_text="Masked: 138****8000.")
    recipient_phone = serializers.SerializerMethodField(help_text="Masked: 138****8000.")
    last_event = serializers.SerializerMethodField()
    eta = serializers.SerializerMethodField()
    stall = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = ["tracking_number", "carrier", "carrier_name", "source", "status",
                  "sender_phone", "recipient_phone", "origin", "destination", "goods",
                  "last_event", "eta", "stall", "subscription", "registered_at", "created_at"]

    def get_carrier_name(self, shipment) -> str:
        return CARRIERS.get(shipment.carrier, "")

    def get_sender_phone(self, shipment) -> str:
        return mask_phone(shipment.sender_phone)

    def get_recipient_phone(self, shipment) -> str:
        return mask_phone(shipment.recipient_phone)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_last_event(self, shipment):
        if shipment.last_event_at is None:
            return None
        return {"time": serializers.DateTimeField().to_representation(shipment.last_event_at),
                "location": shipment.last_location, "description": shipment.last_description}

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_eta(self, shipment):
        eta = shipment_eta(shipment)
        return {**eta, "time": serializers.DateTimeField().to_representation(eta["time"])
                if eta["time"] else None}

    @extend_schema_field(serializers.DictField())
    def get_stall(self, shipment):
        since = shipment.stalled_since
        return {"stalled": shipment.stalled, "reason": shipment.stall_reason,
                "since": serializers.DateTimeField().to_representation(since) if since else None}


class ShipmentDetailOutput(ShipmentOutput):
    events = serializers.SerializerMethodField(help_text="Oldest first.")

    class Meta(ShipmentOutput.Meta):
        fields = [*ShipmentOutput.Meta.fields, "events"]

    @extend_schema_field(TrackingEventOutput(many=True))
    def get_events(self, shipment):
        return TrackingEventOutput(self.context["events"], many=True).data
