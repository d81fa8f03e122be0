"""Input/Output serializers of the station and courier APIs."""

from rest_framework import serializers

from config.masking import mask_phone
from stations.choices import RESULTS_BY_KIND, AddressAnswer, AddressCheckReason, TaskKind


class TaskCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    station = serializers.CharField(required=False, allow_blank=True, max_length=32)


class TaskCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    station = serializers.CharField(source="station.code")
    status = serializers.CharField()
    due_at = serializers.DateTimeField()


def recipient_phone_for(task, user) -> str:
    """Masked, except for the courier of an open delivery task (they must call)."""
    from stations.choices import DELIVERY_KINDS

    phone = task.recipient_phone
    if (task.is_open and task.kind in DELIVERY_KINDS and task.courier_id is not None
            and user is not None and task.courier_id == user.pk):
        return phone
    return mask_phone(phone) if phone else ""


class TaskOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    ticket = serializers.IntegerField(source="ticket_id")
    ticket_number = serializers.CharField(source="ticket.number")
    station = serializers.CharField(source="station.code")
    status = serializers.CharField()
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    tracking_number = serializers.CharField()
    note = serializers.CharField()
    result = serializers.CharField()
    result_note = serializers.CharField()
    completed_at = serializers.DateTimeField()
    results = serializers.SerializerMethodField()
    recipient_phone = serializers.SerializerMethodField()

    def get_overdue(self, task) -> bool:
        from django.utils import timezone

        return task.is_open and task.due_at < timezone.now()

    def get_results(self, task) -> list[str]:
        return list(RESULTS_BY_KIND[task.kind])

    def get_recipient_phone(self, task) -> str:
        return recipient_phone_for(task, self.context.get("user"))


class TaskCompleteInput(serializers.Serializer):
    result = serializers.CharField(max_length=32)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    photo = serializers.FileField(required=False, allow_null=True)


class AddressCheckInput(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=40)
    reason = serializers.ChoiceField(choices=AddressCheckReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AddressCheckOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    tracking_number = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    answer = serializers.CharField()
    new_address = serializers.CharField()
    new_time = serializers.CharField()
    due_at = serializers.DateTimeField()
    ticket = serializers.IntegerField(source="task.ticket_id")
    task = serializers.IntegerField(source="task_id")


class AddressAnswerInput(serializers.Serializer):
    token = serializers.CharField(max_length=40)
    answer = serializers.ChoiceField(choices=AddressAnswer.choices)
    new_address = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=200)
    new_time = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
