import os

import pytest

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
