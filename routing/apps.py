from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self):
        from routing import roster, rules, strategies  # noqa: F401 — signals, the registry
