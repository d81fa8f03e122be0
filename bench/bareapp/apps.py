from django.apps import AppConfig


class BareAppConfig(AppConfig):
    name = "bench.bareapp"
    label = "bareapp"
    verbose_name = "Benchmark baseline"
    default_auto_field = "django.db.models.BigAutoField"
