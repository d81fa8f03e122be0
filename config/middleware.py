"""Answers under /api/ are always JSON `{"detail", "code"}`, also where Django itself answers
(a URL no pattern matches): clients and the schema rely on one error shape."""

from django.http import JsonResponse
from django.utils.translation import gettext as _


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code in (404, 405)
                and not response.get("Content-Type", "").startswith("application/json")):
            if response.status_code == 404:
                return JsonResponse({"detail": _("Not found."), "code": "not_found"},
                                    status=404)
            return JsonResponse({"detail": _("Method not allowed."),
                                 "code": "method_not_allowed"}, status=405,
                                headers={"Allow": response.get("Allow", "")})
        return response
