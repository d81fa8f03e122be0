"""DRF throttles of /api/customer/, counted in the default cache (Redis in production).

Rates come from settings.CUSTOMER_THROTTLE_RATES at request time (DRF reads its own setting
once at import), so an override in tests or an environment change applies without a reload.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.CUSTOMER_THROTTLE_RATES.get(self.scope)


class CustomerUserThrottle(_SettingsRateThrottle):
    """Per signed-in customer, across all their devices."""

    scope = "customer_user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CustomerIpThrottle(_SettingsRateThrottle):
    """Per client IP (X-Forwarded-For honoured only for REST_FRAMEWORK NUM_PROXIES)."""

    scope = "customer_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CustomerBindThrottle(CustomerUserThrottle):
    """Adding a parcel by waybill + 4 phone digits: few tries, so the digits can't be
    guessed."""

    scope = "customer_bind"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class CustomerAuthIpThrottle(CustomerIpThrottle):
    scope = "customer_auth_ip"


def client_ip(request) -> str:
    return CustomerIpThrottle().get_ident(request)
