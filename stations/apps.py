from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Delivery stations")

    def ready(self):
        from stations.actions import on_ticket_created
        from tickets.hooks import on_ticket_created as register

        register(on_ticket_created)
        from chatbot.dialogue.turn_hooks import register_turn_hook
        from stations.actions import chat_turn_hook

        register_turn_hook(chat_turn_hook)
        from stations import console
        from tickets.hooks import register_ticket_panel

        register_ticket_panel("station_tasks", console.ticket_panel,
                              refresh_on=("station_task", "station_reply",
                                          "station_task_overdue"))
