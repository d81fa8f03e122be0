from datetime import UTC

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from logistics.carriers import normalize_waybill
from tickets.choices import Priority, Status
from tickets.models import Ticket, TicketWaybill


class StableOrderingFilter(django_filters.OrderingFilter):
    """Any requested order ends with -id, so pages never shift between requests."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-id") if value else qs


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within bigint, else 400 (a huge number overflowed the
    database driver into a 500; found by the schemathesis run)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2 ** 63 - 1)
        super().__init__(*args, **kwargs)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time, queried in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python
    accepts (…T16:11:24-19:18 was a 500; found by the schemathesis run)."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError):
                raise ValidationError({"detail": _("The time is out of range.")}) from None
        return super().filter(qs, value)


class TicketFilter(django_filters.FilterSet):
    # distinct=False: an IN on the ticket's own column cannot duplicate rows, and DISTINCT over
    # every selected column made each filtered page and count several times slower.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    category = django_filters.CharFilter(field_name="category__code")
    queue = django_filters.CharFilter(field_name="queue__code")
    owner = IdFilter(field_name="owner_id")
    customer_phone = django_filters.CharFilter(method="filter_customer_phone")
    waybill = django_filters.CharFilter(method="filter_waybill")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    breached = django_filters.BooleanFilter(method="filter_breached")
    parent = IdFilter(field_name="parent_id")
    search = django_filters.CharFilter(method="filter_search",
                                       help_text="Number, title, waybill or customer phone.")
    ordering = StableOrderingFilter(fields=(
        "created_at", "updated_at", "priority", "response_due", "resolve_due", "number"))

    class Meta:
        model = Ticket
        fields = []

    def filter_customer_phone(self, qs, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())[-11:]
        return qs.filter(customer__phone=digits) if digits else qs.none()

    def filter_waybill(self, qs, name, value):
        number = normalize_waybill(value)
        return qs.filter(Exists(TicketWaybill.objects.filter(ticket=OuterRef("pk"),
                                                             number=number)))

    def filter_breached(self, qs, name, value):
        breached = Q(response_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False)
        return qs.filter(breached) if value else qs.exclude(breached)

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        compact = value.replace(" ", "").replace("-", "")
        waybills = TicketWaybill.objects.filter(ticket=OuterRef("pk"),
                                                number__icontains=compact.upper())
        query = (Q(number__icontains=compact) | Q(title__icontains=value)
                 | Exists(waybills))
        if compact.isdigit() and len(compact) >= 4:
            query |= Q(customer__phone__contains=compact)
        return qs.filter(query)
