import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from routing.models import Queue
from tickets.models import Category, Customer, SlaPolicy


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pw-for-tests-1")
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=role)[0])


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category_{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.LazyAttribute(lambda o: f"{o.priority} policy")
    priority = "P2"
    response_minutes = 30
    resolve_minutes = 240


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"queue_{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("phone",)

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = "测试客户"
    user = factory.SubFactory(UserFactory, roles=["customer"])


def make_ticket(setup, *, user=None, category="lost_parcel", **kwargs):
    """A ticket created through the real action (received, in the default queue)."""
    from tickets import actions

    fields = {"title": "包裹丢失", "description": "客户说包裹丢了", "waybills": ["SF1409821733526"],
              "customer_phone": "13800138000"}
    fields.update(kwargs)
    return actions.check_create_ticket(user=user or setup.supervisor, category_code=category,
                                       **fields)


def ticket_in(setup, state: str, **kwargs):
    """A ticket driven through real transitions to `state`, owned by setup.agent."""
    from tickets import actions

    ticket = make_ticket(setup, **kwargs)
    steps = {
        "received": [],
        "assigned": ["assign"],
        "processing": ["assign", "start"],
        "review": ["assign", "start", "submit_review"],
        "closed": ["assign", "start", "submit_review", "approve"],
    }[state]
    for name in steps:
        if name == "assign":
            actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                        assignee_id=setup.agent.pk)
        elif name == "start":
            actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
        elif name == "submit_review":
            actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk,
                                        note="已核实并处理")
        elif name == "approve":
            actions.check_approve_review(user=setup.reviewer, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket
