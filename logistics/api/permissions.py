from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.permissions import BasePermission

# Roles belong to tickets (tickets.roles); logistics depends on no app, so the staff check is
# named, not imported: settings.LOGISTICS_STAFF_PERMISSION may point elsewhere.
DEFAULT_STAFF_PERMISSION = "tickets.api.permissions.IsStaffMember"


class IsStaffMember(BasePermission):
    """Staff and the system user (the project's IsStaffMember); customers are refused."""

    message = "This API is for staff."

    def has_permission(self, request, view) -> bool:
        path = getattr(settings, "LOGISTICS_STAFF_PERMISSION", DEFAULT_STAFF_PERMISSION)
        return import_string(path)().has_permission(request, view)
