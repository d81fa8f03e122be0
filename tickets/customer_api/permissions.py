from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission

from tickets.models import Customer
from tickets.roles import Role, has_role, is_staff_member


class IsCustomer(BasePermission):
    """A customer login with a customer profile. Staff are refused even when they also hold
    the customer role: staff act for customers through the staff API, never as one."""

    message = _("This API is for customers.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and has_role(user, Role.CUSTOMER)
                and not is_staff_member(user)):
            return False
        if getattr(user, "_pd_customer", None) is None:
            user._pd_customer = Customer.objects.filter(user_id=user.pk).first()
        return user._pd_customer is not None


# Customer endpoints take the token only: no session cookie, so no CSRF surface.
CUSTOMER_AUTHENTICATION = [TokenAuthentication]
