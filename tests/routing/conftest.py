import pytest

from routing import roster, rules
from routing.choices import AgentStatus, SkillKind
from routing.models import AgentProfile, AgentSkill, RoutingRule, Skill
from tests.factories import QueueFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.clear()
    roster.clear()
    yield
    rules.clear()
    roster.clear()


def skill(code, kind=SkillKind.CATEGORY, match=None):
    return Skill.objects.get_or_create(code=code, defaults={
        "name": code, "kind": kind, "match": match if match is not None else code})[0]


def agent(username, *, queues=(), status=AgentStatus.ONLINE, capacity=3, skills=None,
          regions=()):
    """An agent user with an AgentProfile and skills {Skill: level}, member of `queues`."""
    user = UserFactory(username=username, roles=["agent"])
    profile = AgentProfile.objects.create(user=user, status=status, capacity=capacity,
                                          regions=list(regions))
    for queue in queues:
        queue.members.add(user)
    for s, level in (skills or {}).items():
        AgentSkill.objects.create(profile=profile, skill=s, proficiency=level)
    return user


def rule(name, *, order=100, queue=None, required=(), **fields):
    r = RoutingRule.objects.create(name=name, order=order, queue=queue, **fields)
    r.required_skills.set(required)
    return r


@pytest.fixture
def expert_queue(setup):
    return QueueFactory(code="expert_review", name="专家复核")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the block schedules after commit (routing tasks, eager),
    as a real commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def api_as():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
