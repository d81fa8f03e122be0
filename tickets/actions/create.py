from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.effects import enqueue_on_commit
from config.errors import DomainError, Forbidden
from config.phones import canonical_mobile
from logistics.carriers import normalize_waybill
from routing.models import Queue
from tickets import catalog, sla
from tickets.actions.common import push_ticket, record_event
from tickets.choices import Channel, EventKind, Impact, Priority
from tickets.models import Customer, Ticket, TicketWaybill
from tickets.quality.fields import clean_values
from tickets.roles import Role, has_role

_CREATORS = (Role.AGENT, Role.SUPERVISOR, Role.OPS, Role.SYSTEM)


def normalize_phone(raw: str) -> str:
    """11-digit mainland mobile from `+86 138-0013-8000` and the like; 400 when it isn't one."""
    phone = canonical_mobile(raw)
    if phone is None:
        raise DomainError(_("“%(phone)s” is not a mainland mobile number.") % {"phone": raw},
                          code="invalid_phone")
    return phone


def next_ticket_number(now=None) -> str:
    """TK + local date + a 6-digit per-day sequence, in one atomic statement."""
    day = timezone.localdate(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_dailysequence (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = tickets_dailysequence.last + 1 "
            "RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return f"TK{day:%Y%m%d}{sequence:06d}"


def get_or_create_customer(phone: str, *, name: str = "", tags=None) -> Customer:
    """The customer with this phone, created when new. Race-safe without a savepoint: a new
    row goes in with INSERT … ON CONFLICT (phone), so a concurrent creation is not an error."""
    phone = normalize_phone(phone)
    customer, created = Customer.objects.filter(phone=phone).first(), False
    if customer is None:
        (customer,) = Customer.objects.bulk_create(
            [Customer(phone=phone, name=name, tags=sorted(set(tags or [])))],
            update_conflicts=True, unique_fields=["phone"], update_fields=["phone"])
        created = True
    changed = []
    if not created and name and not customer.name:
        customer.name = name
        changed.append("name")
    if not created and tags and set(tags) - set(customer.tags):
        customer.tags = sorted(set(customer.tags) | set(tags))
        changed.append("tags")
    if changed:
        customer.save(update_fields=changed)
    return customer


def ensure_customer_user(phone: str, *, name: str = "") -> Customer:
    """The customer with this phone and a login of their own (role customer, no password: they
    sign in by SMS code or WeChat, or support issues them a token)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tickets.roles import Role

    customer = get_or_create_customer(phone, name=name)
    if customer.user_id is None:
        user, created = get_user_model().objects.get_or_create(
            username=f"customer_{customer.phone}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.CUSTOMER)[0])
        Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=user)
        customer.refresh_from_db()
    return customer


def check_create_ticket(*, user, title: str, category_code: str, description: str = "",
                        priority: str | None = None, channel: str = Channel.AGENT,
                        impact: str = Impact.SINGLE, customer_phone: str | None = None,
                        customer_name: str = "", customer_tags=(), waybills=(),
                        region: str = "", tags=(), context=None, queue_code: str | None = None,
                        parent_id: int | None = None, form_values=None) -> Ticket:
    if not has_role(user, *_CREATORS):
        raise Forbidden(_("Your role may not create tickets."))
    category = catalog.active_category(category_code)
    if category is None:
        raise DomainError(_("Unknown category “%(code)s”.") % {"code": category_code},
                          code="unknown_category")
    if priority is not None and priority not in Priority.values:
        raise DomainError(_("Unknown priority."), code="invalid_priority")
    queue = None
    if queue_code:
        queue = Queue.objects.filter(code=queue_code).first()
        if queue is None:
            raise DomainError(_("Unknown queue “%(code)s”.") % {"code": queue_code},
                              code="unknown_queue")
    parent = None
    if parent_id is not None:
        parent = Ticket.objects.filter(pk=parent_id, category__code="batch_incident").first()
        if parent is None:
            raise DomainError(_("The parent must be an existing batch incident."),
                              code="invalid_parent")
    with transaction.atomic():
        customer = None
        if customer_phone:
            customer = get_or_create_customer(customer_phone, name=customer_name,
                                              tags=customer_tags)
        return do_create_ticket(
            title=title, description=description, category=category,
            priority=priority or category.default_priority, channel=channel, impact=impact,
            customer=customer, waybills=waybills, region=region, tags=tags,
            context=context or {}, queue=queue, parent=parent, acting_user=user,
            form_values=form_values)


def do_create_ticket(*, title, description, category, priority, channel, impact, customer,
                     waybills, region, tags, context, queue, parent, acting_user,
                     form_values=None) -> Ticket:
    """Caller holds a transaction. Sets SLA deadlines, audits, pushes after commit.

    Every channel creates here, so the category's template is enforced here: 400
    `missing_fields` (fields, labels) or `invalid_fields` (tickets/quality/fields.py)."""
    form_values = clean_values(category.pk, form_values)
    now = timezone.now()
    queue = queue or catalog.default_queue()
    response_due, resolve_due = sla.deadlines(priority, category.pk, now,
                                              queue_id=queue.pk if queue else None)
    ticket = Ticket.objects.create(
        number=next_ticket_number(now), title=title, description=description,
        category=category, priority=priority, channel=channel, impact=impact,
        customer=customer, region=region, tags=sorted(set(tags)), context=context,
        form_values=form_values,
        queue=queue, parent=parent,
        response_due=response_due, resolve_due=resolve_due, created_by=acting_user,
        created_at=now,
    )
    numbers = list(dict.fromkeys(n for n in map(normalize_waybill, waybills) if n))
    TicketWaybill.objects.bulk_create(TicketWaybill(ticket=ticket, number=n) for n in numbers)
    ticket.waybill_numbers = numbers  # for the caller's answer; reads use waybill_rows
    record_event(ticket, EventKind.CREATED, actor=acting_user, to_status=ticket.status,
                 data={"channel": channel, "priority": priority, "category": category.code,
                       "waybills": numbers})
    push_ticket(ticket, op="create", change="created", figures=True)
    from routing.tasks import route_ticket  # routing imports tickets: import at call time

    enqueue_on_commit(route_ticket, ticket_id=ticket.pk)
    from tickets.hooks import ticket_created_handlers

    for handler in ticket_created_handlers():  # e.g. analytics: link to an open incident;
        # stations: 丢件 → 网点核实
        handler(ticket=ticket, acting_user=acting_user)
    return ticket
