"""Agent assist: suggestions (articles, similar closed tickets with their resolution), usage
recording, the knowledge-base reference hook for quality review."""

import pytest

from knowledge import assist, selectors
from knowledge.models import Article, AssistUsage, TicketDigest
from tests.factories import make_ticket
from tickets import actions


def close(setup, ticket, note):
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk, note=note)
    actions.check_approve_review(user=setup.reviewer, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def history(setup):
    """Closed tickets: two fee disputes about weighing, one about a remote surcharge, one lost
    parcel (another category)."""
    weighing = close(setup, make_ticket(setup, category="fee_dispute", title="称重多收运费",
                                        description="客户说实际1公斤按3公斤收了运费，要求退差价"),
                     "调取揽收称重照片，确认多收2公斤，已退差价8元")
    surcharge = close(setup, make_ticket(setup, category="fee_dispute", title="偏远附加费疑问",
                                         description="寄新疆被收附加费"),
                      "地址在偏远名单内，已向客户解释附加费标准")
    lost = close(setup, make_ticket(setup, category="lost_parcel", title="称重后丢件",
                                    description="称重多收运费后包裹丢了"), "按丢件赔付")
    return weighing, surcharge, lost


@pytest.mark.django_db
def test_closing_a_ticket_indexes_it_and_reopening_removes_it(history, setup):
    weighing, _surcharge, _lost = history
    digest = TicketDigest.objects.get(ticket_id=weighing.pk)
    assert digest.category_code == "fee_dispute" and "退差价" in digest.resolution
    actions.check_reopen_ticket(user=setup.supervisor, ticket_id=weighing.pk, reason="客户不满意")
    assert not TicketDigest.objects.filter(ticket_id=weighing.pk).exists()


@pytest.mark.django_db
def test_suggestions_rank_similar_closed_tickets_of_the_same_category(history, setup, kb, api):
    weighing, surcharge, lost = history
    ticket = make_ticket(setup, category="fee_dispute", title="运费多收",
                         description="我称了只有1公斤，你们按3公斤收费，要求退差价")
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    response = api(setup.agent).get(f"/api/tickets/{ticket.pk}/suggestions/")
    assert response.status_code == 200
    body = response.json()
    similar = body["similar_tickets"]
    ids = [s["id"] for s in similar]
    assert ids[0] == weighing.pk
    assert surcharge.pk not in ids  # same category, nothing in common but the category
    assert lost.pk not in ids  # shares words, but another category
    assert "已退差价" in similar[0]["resolution"]
    internal = body["articles"]["internal"]
    customer = body["articles"]["customer"]
    assert internal[0]["title"] == "【内部】费用争议核实步骤（称重复核）"
    assert customer[0]["title"] == "运费多扣了、称重不对，怎么申请退差价"
    assert all(a["audience"] == "customer" for a in customer)


@pytest.mark.django_db
def test_suggestions_need_access_to_the_ticket(setup, kb, api):
    ticket = make_ticket(setup, category="fee_dispute")
    assert api(setup.outsider).get(f"/api/tickets/{ticket.pk}/suggestions/").status_code == 404


@pytest.mark.django_db
def test_using_a_suggestion_is_recorded_and_feeds_quality_review(setup, kb, api):
    from tickets import hooks

    ticket = make_ticket(setup, category="fee_dispute", title="运费多收")
    article = Article.objects.get(slug="internal-fee-verify")
    client = api(setup.supervisor)
    response = client.post(f"/api/tickets/{ticket.pk}/suggestions/",
                           {"kind": "article", "id": article.pk}, format="json")
    assert response.status_code == 201
    article.refresh_from_db()
    assert article.used_in_replies == 1
    assert selectors.articles_used_in(ticket.pk) == [article.pk]
    assert {"id": article.pk, "title": article.title} in hooks.kb_references(ticket)
    missing = client.post(f"/api/tickets/{ticket.pk}/suggestions/",
                          {"kind": "article", "id": 999999}, format="json")
    assert missing.status_code == 404


@pytest.mark.django_db
def test_backlog_indexing_digests_tickets_closed_before_the_hook(history):
    TicketDigest.objects.all().delete()
    assert assist.do_index_closed_tickets() == 3
    assert assist.do_index_closed_tickets() == 0  # nothing new: idempotent
    assert TicketDigest.objects.count() == 3


@pytest.mark.django_db
def test_suggestions_query_count_is_constant(history, setup, kb, api,
                                             django_assert_max_num_queries):
    ticket = make_ticket(setup, category="fee_dispute", title="运费多收")
    client = api(setup.supervisor)
    client.get(f"/api/tickets/{ticket.pk}/suggestions/")  # warm the index
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/tickets/{ticket.pk}/suggestions/").status_code == 200
    assert AssistUsage.objects.count() == 0  # reading records nothing


@pytest.mark.django_db
def test_the_trajectory_breaks_ties_between_equally_worded_tickets(setup):
    def closed(status):
        return close(setup, make_ticket(setup, category="urge_delivery", title="催件",
                                        description="包裹好几天没有更新",
                                        context={"shipment": {"status": status}}), "已处理")

    in_transit, customs = closed("in_transit"), closed("customs")
    ticket = make_ticket(setup, category="urge_delivery", title="催件",
                         description="包裹好几天没有更新",
                         context={"shipment": {"status": "customs"}})
    ranked = [s["id"] for s in assist.similar_tickets(ticket)]
    assert ranked == [customs.pk, in_transit.pk]


@pytest.mark.django_db
def test_database_and_python_scoring_agree(history, setup):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQL scorer is PostgreSQL's")
    ticket = make_ticket(setup, category="fee_dispute", title="运费多收",
                         description="称重多收运费，要求退差价，偏远附加费也不对")
    query = assist._token_set(ticket)
    in_db = assist._scored_in_database(ticket, query, 5)
    in_python = assist._scored_in_python(ticket, query, 5)
    assert [t for _s, t in in_db] == [t for _s, t in in_python] != []
    assert all(abs(a - b) < 1e-9 for (a, _x), (b, _y) in zip(in_db, in_python, strict=True))
