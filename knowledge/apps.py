from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from chatbot.dialogue import answers
        from knowledge import assist, bot
        from tickets import hooks

        hooks.on_transition(assist.on_ticket_transition)  # closed tickets join the index
        hooks.register_kb_reference_provider(assist.kb_references)  # quality review's check
        answers.register_answer_source(bot.answer, feedback=bot.feedback)  # the chatbot
        from knowledge import console

        hooks.register_ticket_panel("knowledge", console.ticket_panel)  # the agent console
