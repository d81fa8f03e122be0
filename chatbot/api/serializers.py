from rest_framework import serializers


class SessionCreateInput(serializers.Serializer):
    customer_phone = serializers.CharField(required=False, max_length=20,
                                           help_text="Staff only: act for this customer.")


class SessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class MessageInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)


class ReplyOutput(serializers.Serializer):
    type = serializers.CharField()
    text = serializers.CharField()
    buttons = serializers.ListField(child=serializers.CharField(), required=False)


class UnderstandingOutput(serializers.Serializer):
    intent = serializers.CharField()
    confidence = serializers.FloatField()
    slots = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    emotion = serializers.CharField()


class TicketBriefOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()


class TurnOutput(serializers.Serializer):
    replies = ReplyOutput(many=True)
    understanding = UnderstandingOutput()
    ticket = TicketBriefOutput(allow_null=True)
    handoff = serializers.BooleanField()


class TranscriptMessageOutput(serializers.Serializer):
    sender = serializers.CharField()
    text = serializers.CharField()
    buttons = serializers.ListField(child=serializers.CharField(), required=False)
    created_at = serializers.DateTimeField()


class TranscriptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    ticket = TicketBriefOutput(allow_null=True)
    messages = TranscriptMessageOutput(many=True)
