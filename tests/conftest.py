import os
from datetime import timedelta

import pytest
from django.utils import timezone

os.environ.setdefault("SECRET_KEY", "test-only-secret")


@pytest.fixture(autouse=True)
def _eager_celery_and_test_backends(settings, tmp_path):
    """Tasks run in-process; notifications are kept in memory; files go to a temp dir."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFICATION_BACKENDS = {
        channel: "tickets.notifications.backends.LocmemBackend"
        for channel in ("sms", "wecom", "dingtalk", "wechat")
    }
    from tickets.notifications import _backend
    from tickets.notifications.backends import outbox

    _backend.cache_clear()
    outbox.clear()
    from tickets import catalog

    catalog.clear()  # rows of the previous test's rolled-back transaction are gone
    from tickets import calendars

    calendars.clear()
    from routing import roster, rules

    rules.clear()  # a seed_demo elsewhere leaves rules and skills of rows now rolled back
    roster.clear()
    from tickets.roles import forget_roles

    forget_roles()
    yield
    outbox.clear()


@pytest.fixture
def outbox():
    from tickets.notifications.backends import outbox

    return outbox


@pytest.fixture
def roles(db):
    from django.contrib.auth.models import Group

    from tickets.roles import Role

    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def setup(roles):
    """Categories, SLA policies, a default queue and one user per role."""
    from tests.factories import (
        CategoryFactory,
        QueueFactory,
        SlaPolicyFactory,
        UserFactory,
    )

    categories = {code: CategoryFactory(code=code, default_priority=priority)
                  for code, priority in (("lost_parcel", "P1"), ("fee_dispute", "P2"),
                                         ("urge_delivery", "P1"), ("batch_incident", "P0"),
                                         ("other", "P3"))}
    for priority, response, resolve in (("P0", 10, 60), ("P1", 15, 120), ("P2", 30, 240),
                                        ("P3", 120, 1440)):
        SlaPolicyFactory(priority=priority, response_minutes=response, resolve_minutes=resolve)
    queue = QueueFactory(code="general", is_default=True)
    other_queue = QueueFactory(code="fee_dispute_a")
    agent = UserFactory(username="agent01", roles=["agent"])
    agent2 = UserFactory(username="agent02", roles=["agent"])
    outsider = UserFactory(username="agent09", roles=["agent"])
    queue.members.add(agent, agent2)
    other_queue.members.add(outsider)

    class Setup:
        pass

    s = Setup()
    s.categories, s.queue, s.other_queue = categories, queue, other_queue
    s.agent, s.agent2, s.outsider = agent, agent2, outsider
    s.reviewer = UserFactory(username="reviewer01", roles=["reviewer"])
    s.supervisor = UserFactory(username="supervisor01", roles=["supervisor"])
    return s


@pytest.fixture(scope="session")
def nlu_model(tmp_path_factory):
    """One small model for the chatbot tests (2 NER epochs: the pipeline, not its quality)."""
    from django.conf import settings

    from chatbot.nlu import model, pipeline

    old = settings.NLU_MODEL_DIR
    settings.NLU_MODEL_DIR = str(tmp_path_factory.mktemp("nlu"))
    pipeline.reset()
    path = model.train(seed=1, ner_epochs=2, log=lambda *_: None)
    yield path
    settings.NLU_MODEL_DIR = old
    pipeline.reset()


@pytest.fixture
def parcel(db):
    """parcel(number, phone, steps=[(hours_ago, status, location, description)], goods=())
    → a shipment stored through logistics' own actions, stalls detected."""
    from logistics import actions as logistics
    from logistics.adapters.base import TrackingEvent, TrackingUpdate
    from tickets.roles import system_user

    def make(number, phone, steps, *, goods=(), carrier="sf"):
        shipment, _ = logistics.check_register_shipment(
            acting_user=system_user(), tracking_number=number, carrier=carrier,
            recipient_phone=phone, origin="上海", destination="杭州", goods=goods)
        now = timezone.now()
        events = [TrackingEvent(time=now - timedelta(hours=h), status=status, location=place,
                                description=text) for h, status, place, text in steps]
        logistics.do_store_update(TrackingUpdate(tracking_number=number, carrier=carrier,
                                                 events=events), source="test")
        logistics.detect_stalls()
        shipment.refresh_from_db()
        return shipment

    return make


@pytest.fixture
def customer_chat(db):
    """customer_chat(phone, name) → say(text): a customer's chat session through the API; each
    call sends one message and returns the turn (say.client, .session, .customer)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tickets.actions import ensure_customer_user

    def open_chat(phone="13900001111", name="钱女士"):
        customer = ensure_customer_user(phone, name=name)
        client = APIClient()
        token = Token.objects.get_or_create(user=customer.user)[0]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/chat/sessions/", {}, format="json")
        assert response.status_code == 201, response.content
        session = response.json()["id"]

        def say(text):
            response = client.post(f"/api/chat/sessions/{session}/messages/", {"text": text},
                                   format="json")
            assert response.status_code == 200, response.content
            return response.json()

        say.client, say.session, say.customer = client, session, customer
        return say

    return open_chat
