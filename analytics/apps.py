from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        # Tickets never imports analytics (DESIGN.md): analytics plugs into its hooks.
        from analytics.actions.incidents import link_new_ticket, on_ticket_transition
        from tickets import hooks

        hooks.on_ticket_created(link_new_ticket)
        hooks.on_transition(on_ticket_transition)
        from analytics import console

        hooks.register_supervisor_panel("analytics_reports", console.reports_panel)
        hooks.register_supervisor_panel("analytics_incidents", console.incidents_panel)
