from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatbotConfig(AppConfig):
    name = "chatbot"
    verbose_name = _("Chatbot")

    def ready(self):
        from chatbot.live import relay_agent_reply
        from tickets.hooks import on_customer_reply

        on_customer_reply(relay_agent_reply)  # agent replies go into the handed-off chat
