"""Automatic checks on replies and the resolution, before review."""

import pytest

from tests.factories import make_ticket, ticket_in
from tests.quality.conftest import api, png
from tickets import actions, hooks
from tickets.choices import EventKind, FindingKind, Status
from tickets.models import ForbiddenPhrase, QualityFinding, SamplingPolicy
from tickets.quality import checks


@pytest.fixture
def phrases(db):
    for phrase in ("保证", "百分百", "一定 赔", "全额 赔付"):
        ForbiddenPhrase.objects.create(phrase=phrase)


@pytest.mark.django_db
def test_forbidden_promises_with_gaps_and_negations(phrases):
    kinds = [h.detail["phrase"] for h in checks.promise_hits(
        "请放心，我们保证今天送到，百分百全额赔付，破损一定会赔给您")]
    assert sorted(kinds) == sorted(["保证", "百分百", "一定 赔", "全额 赔付"])
    assert checks.promise_hits("很抱歉，目前无法保证送达时间，赔付以核实结果为准") == []
    assert checks.promise_hits("我们不保证，也不一定能赔") == []


@pytest.mark.django_db
def test_ops_edit_the_list(phrases):
    assert checks.promise_hits("包赔") == []
    ForbiddenPhrase.objects.create(phrase="包赔")
    assert [h.detail["phrase"] for h in checks.promise_hits("放心包赔")] == ["包赔"]
    ForbiddenPhrase.objects.filter(phrase="包赔").update(active=False)
    checks._phrases.clear()  # an update() sends no signal; admin saves do
    assert checks.promise_hits("放心包赔") == []


def test_unmasked_phone_numbers_and_addresses():
    hits = checks.phone_hits("快递员电话 138-0013-8000，网点 0571-88886666")
    assert len(hits) == 1 and "138****8000" in hits[0].excerpt and "0013" not in hits[0].excerpt
    assert checks.phone_hits("您的手机 138****8000 已登记") == []
    hits = checks.address_hits("已改派到浙江省杭州市西湖区文三路100号2单元301室，请留意")
    assert len(hits) == 1 and "301" not in hits[0].excerpt and "****" in hits[0].excerpt
    assert checks.address_hits("已改派到浙江省杭州市西湖区****") == []
    assert checks.address_hits("请到文三路菜鸟驿站取件") == []
    known = checks.address_hits("按您说的送到公司前台阳光大厦", ["公司前台阳光大厦"])
    assert known and known[0].detail == {"known_address": True}


@pytest.mark.django_db
def test_findings_are_stored_masked_shown_to_the_reviewer_and_force_review(
        templates, phrases):
    SamplingPolicy.objects.create(name="基础", rate=0)  # would approve everything unseen
    ticket = make_ticket(templates, category="damaged_parcel", form_values={"goods_value": 99})
    actions.check_assign_ticket(user=templates.supervisor, ticket_id=ticket.pk,
                                assignee_id=templates.agent.pk)
    actions.check_start_ticket(user=templates.agent, ticket_id=ticket.pk)
    actions.check_add_comment(user=templates.agent, ticket_id=ticket.pk, visibility="public",
                              body="您好，我们保证全额赔付，有问题打我手机13912345678")
    actions.check_add_comment(user=templates.agent, ticket_id=ticket.pk, visibility="internal",
                              body="内部：保证金已退")  # internal notes are not checked
    actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk,
                                note="已赔付，寄回地址杭州市西湖区文三路100号2单元301室")
    ticket.refresh_from_db()
    assert ticket.status == Status.REVIEW  # findings: never approved unseen
    found = sorted((f.source, f.kind) for f in QualityFinding.objects.filter(ticket=ticket))
    assert found == [("reply", FindingKind.FORBIDDEN_PROMISE),  # 保证, and 全额 赔付
                     ("reply", FindingKind.FORBIDDEN_PROMISE), ("reply", "unmasked_phone"),
                     ("resolution", "unmasked_address"), ("ticket", "missing_evidence")]
    assert all("13912345678" not in f.excerpt and "301室" not in f.excerpt
               for f in QualityFinding.objects.all())
    assert all(f.agent_id == templates.agent.pk for f in QualityFinding.objects.all())
    event = ticket.events.get(kind=EventKind.QUALITY_CHECK)
    assert event.data["findings"]["missing_evidence"] == 1
    body = api(templates.reviewer).get(f"/api/tickets/{ticket.pk}/quality/").json()
    assert body["round"] == 1 and body["current_findings"] == 5
    assert body["sampling"]["reason"] == "findings"
    labels = {f["kind"]: f["kind_label"] for f in body["findings"]}
    assert labels["forbidden_promise"] == "违规承诺" and labels["missing_evidence"] == "缺少凭证"
    assert api(templates.reviewer).get(f"/api/tickets/{ticket.pk}/").json()["quality"] == {
        "round": 1, "findings": 5}


@pytest.mark.django_db
def test_a_reply_is_flagged_once_and_evidence_clears_the_finding(templates, phrases):
    ticket = make_ticket(templates, category="damaged_parcel", form_values={"goods_value": 99})
    actions.check_assign_ticket(user=templates.supervisor, ticket_id=ticket.pk,
                                assignee_id=templates.agent.pk)
    actions.check_start_ticket(user=templates.agent, ticket_id=ticket.pk)
    actions.check_add_comment(user=templates.agent, ticket_id=ticket.pk, visibility="public",
                              body="百分百帮您解决")
    actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk, note="已处理")
    actions.check_reject_review(user=templates.reviewer, ticket_id=ticket.pk, reason="缺照片")
    actions.check_add_attachment(user=templates.agent, ticket_id=ticket.pk, upload=png(),
                                 evidence_for="photo")
    actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk, note="已补照片")
    rounds = list(QualityFinding.objects.filter(ticket=ticket).values_list("round", "kind"))
    assert rounds == [(1, "forbidden_promise"), (1, "missing_evidence")]


@pytest.mark.django_db
def test_kb_reference_comes_from_the_registered_provider(templates, settings):
    category = templates.categories["lost_parcel"]
    category.requires_kb_reference = True
    category.save()
    ticket = ticket_in(templates, "review")
    assert list(QualityFinding.objects.filter(ticket=ticket).values_list("kind", flat=True)) \
        == ["missing_kb_reference"]

    def provider(t):
        return [{"id": 7, "title": "丢件理赔标准"}] if t.category_id == category.pk else []

    hooks.register_kb_reference_provider(provider)
    try:
        second = ticket_in(templates, "review")
        assert not QualityFinding.objects.filter(ticket=second).exists()
    finally:
        hooks._kb_reference_providers.remove(provider)


@pytest.mark.django_db
def test_findings_are_counted_per_agent(templates, phrases):
    for _ in range(2):
        ticket = ticket_in(templates, "processing")
        actions.check_add_comment(user=templates.agent, ticket_id=ticket.pk,
                                  visibility="public", body="保证明天送到")
        actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk, note="已处理")
    rows = api(templates.supervisor).get("/api/quality/agents/").json()
    assert rows == [{"agent_id": templates.agent.pk, "username": "agent01",
                     "findings": {"forbidden_promise": 2}, "findings_total": 2, "reviews": 0,
                     "rejected": 0, "scores": {}}]
    assert api(templates.agent).get("/api/quality/agents/").status_code == 403


@pytest.mark.django_db
def test_agent_figures_in_constant_queries(templates, phrases, django_assert_max_num_queries):
    for agent in (templates.agent, templates.agent2):
        ticket = make_ticket(templates)
        actions.check_assign_ticket(user=templates.supervisor, ticket_id=ticket.pk,
                                    assignee_id=agent.pk)
        actions.check_start_ticket(user=agent, ticket_id=ticket.pk)
        actions.check_add_comment(user=agent, ticket_id=ticket.pk, visibility="public",
                                  body="保证明天送到")
        actions.check_submit_review(user=agent, ticket_id=ticket.pk, note="已处理")
        actions.check_review_ticket(user=templates.reviewer, ticket_id=ticket.pk,
                                    verdict="approved", scores={
                                        "accuracy": 4, "attitude": 4, "process": 4,
                                        "timeliness": 4})
    client = api(templates.supervisor)
    client.get("/api/quality/agents/")
    with django_assert_max_num_queries(6):
        rows = client.get("/api/quality/agents/").json()
    assert [(r["username"], r["findings_total"], r["reviews"]) for r in rows] == [
        ("agent01", 1, 1), ("agent02", 1, 1)]
