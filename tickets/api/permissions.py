from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from tickets.roles import is_staff_member


class IsStaffMember(BasePermission):
    """Agents, reviewers, supervisors, ops and the system user; customers use /api/customer/."""

    message = _("This API is for staff.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and is_staff_member(request.user))
