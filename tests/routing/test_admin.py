"""Ops screens: the skill-matrix grid, rules, decisions."""

import pytest

from routing.models import AgentSkill
from tests.factories import UserFactory, make_ticket
from tests.routing.conftest import agent, rule, skill


@pytest.fixture
def ops(setup):
    return UserFactory(username="ops01", roles=["ops"], is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_skill_matrix_grid_saves_changed_cells_in_one_go(client, ops, setup):
    fee, vip = skill("fee", match="fee_dispute"), skill("vip", kind="special", match="vip")
    a = agent("a", skills={fee: 3})
    b = agent("b", skills={vip: 2})
    pa, pb = a.agent_profile, b.agent_profile
    client.force_login(ops)
    changelist = client.get("/admin/routing/agentprofile/")
    assert b"/admin/routing/agentprofile/skill-matrix/" in changelist.content
    page = client.get("/admin/routing/agentprofile/skill-matrix/")
    assert page.status_code == 200
    assert f'name="cell_{pa.pk}_{fee.pk}"'.encode() in page.content
    data = {f"cell_{pa.pk}_{fee.pk}": 5, f"cell_{pa.pk}_{vip.pk}": 4,
            f"cell_{pb.pk}_{fee.pk}": 0, f"cell_{pb.pk}_{vip.pk}": 0}
    response = client.post("/admin/routing/agentprofile/skill-matrix/", data)
    assert response.status_code == 302
    cells = set(AgentSkill.objects.values_list("profile_id", "skill_id", "proficiency"))
    assert cells == {(pa.pk, fee.pk, 5), (pa.pk, vip.pk, 4)}


@pytest.mark.django_db
def test_skill_matrix_refuses_out_of_range_and_saves_nothing(client, ops, setup):
    fee = skill("fee", match="fee_dispute")
    a = agent("a", skills={fee: 3})
    client.force_login(ops)
    pk = a.agent_profile.pk
    response = client.post("/admin/routing/agentprofile/skill-matrix/",
                           {f"cell_{pk}_{fee.pk}": 9})
    assert response.status_code == 200 and b"errornote" in response.content
    assert AgentSkill.objects.get().proficiency == 3


@pytest.mark.django_db
def test_skill_matrix_needs_change_permission(client, setup):
    viewer = UserFactory(username="viewer", roles=["supervisor"], is_staff=True)
    client.force_login(viewer)
    assert client.get("/admin/routing/agentprofile/skill-matrix/").status_code == 403


@pytest.mark.django_db
def test_rule_and_decision_screens(client, ops, setup, commit):
    rule("catch-all", order=999)
    agent("a", queues=[setup.queue])
    with commit():
        ticket = make_ticket(setup)
    client.force_login(ops)
    page = client.get("/admin/routing/routingrule/")
    assert page.status_code == 200 and b"catch-all" in page.content
    decision = ticket.routing_decisions.get()
    page = client.get(f"/admin/routing/routingdecision/{decision.pk}/change/")
    assert page.status_code == 200 and b"<table>" in page.content
    for url in ("/admin/routing/queue/", "/admin/routing/skill/", "/admin/routing/routingalert/",
                "/admin/routing/agentperformance/", "/admin/routing/routingdecision/"):
        assert client.get(url).status_code == 200, url
