from rest_framework import serializers

from routing.choices import AgentStatus


class QueueStatsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    strategy = serializers.CharField()
    escalation_policy = serializers.CharField()
    wait_alert_minutes = serializers.IntegerField()
    waiting = serializers.IntegerField()
    oldest_waiting_since = serializers.DateTimeField(source="oldest_since", allow_null=True)
    oldest_wait_minutes = serializers.SerializerMethodField()
    breached = serializers.IntegerField(help_text="Open tickets with a breached SLA.")
    online_agents = serializers.IntegerField()

    def get_oldest_wait_minutes(self, queue) -> int | None:
        if queue.oldest_since is None:
            return None
        return int((self.context["now"] - queue.oldest_since).total_seconds() // 60)


class AgentStateOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    team = serializers.CharField()
    status = serializers.CharField()
    status_changed_at = serializers.DateTimeField()
    last_online_at = serializers.DateTimeField(allow_null=True)
    capacity = serializers.IntegerField()
    load = serializers.IntegerField(help_text="Open (assigned or processing) tickets.")
    queues = serializers.SerializerMethodField()

    def get_name(self, profile) -> str:
        return profile.user.get_full_name() or profile.user.username

    def get_queues(self, profile) -> list[str]:
        return [q.code for q in profile.user.ticket_queues.all()]


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(AgentStatus.choices)
