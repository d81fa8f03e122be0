import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SlaPolicyFactory, make_ticket
from tickets import catalog
from tickets.models import SlaPolicy


@pytest.mark.django_db
def test_config_is_read_once_then_served_from_memory(setup):
    make_ticket(setup)
    with CaptureQueriesContext(connection) as captured:
        assert catalog.active_category("lost_parcel").code == "lost_parcel"
        assert catalog.sla_policy("P1", None).response_minutes == 15
        assert catalog.default_queue().code == "general"
    assert len(captured) == 0


@pytest.mark.django_db
def test_an_edit_in_this_process_applies_at_once(setup):
    assert catalog.sla_policy("P2", setup.categories["fee_dispute"].pk).response_minutes == 30
    SlaPolicyFactory(priority="P2", category=setup.categories["fee_dispute"],
                     response_minutes=20, resolve_minutes=200)
    assert catalog.sla_policy("P2", setup.categories["fee_dispute"].pk).response_minutes == 20
    setup.categories["other"].active = False
    setup.categories["other"].save()
    assert catalog.active_category("other") is None


@pytest.mark.django_db
def test_an_edit_elsewhere_applies_within_the_ttl(setup, settings, monkeypatch):
    settings.CATALOG_TTL = 30
    now = [1000.0]
    monkeypatch.setattr(catalog._snapshot, "clock", lambda: now[0])
    assert catalog.sla_policy("P1", None).response_minutes == 15
    SlaPolicy.objects.filter(priority="P1").update(response_minutes=5)  # no signal: "elsewhere"
    assert catalog.sla_policy("P1", None).response_minutes == 15
    now[0] += 29
    assert catalog.sla_policy("P1", None).response_minutes == 15
    now[0] += 2
    assert catalog.sla_policy("P1", None).response_minutes == 5


@pytest.mark.django_db
def test_roles_are_cached_and_a_group_change_applies_at_once(setup):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory
    from tickets.roles import has_role

    user = UserFactory(username="newbie", roles=["agent"])
    assert has_role(user, "agent")
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        assert has_role(fresh, "agent")
    assert len(captured) == 0
    user.groups.remove(Group.objects.get(name="agent"))
    assert not has_role(type(user).objects.get(pk=user.pk), "agent")
    Group.objects.get(name="reviewer").user_set.add(user)  # reverse side
    assert has_role(type(user).objects.get(pk=user.pk), "reviewer")
