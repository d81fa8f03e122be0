"""Panels other apps plug into the console through tickets.hooks: knowledge (suggestions,
macros, articles), stations (a ticket's station tasks), analytics (reports and batch incidents
on the supervisor page); the ticket's template form and its paused SLA clock."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.console.test_views import client_for, page
from tests.factories import UserFactory, make_ticket
from tickets import actions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_kb_index():
    from knowledge import search

    search.reset()
    yield
    search.reset()


@pytest.fixture
def kb(db):
    from knowledge.demo import seed_knowledge

    seed_knowledge()


def close(setup, ticket, note):
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk, note=note)
    actions.check_approve_review(user=setup.reviewer, ticket_id=ticket.pk)
    return ticket


def working(setup, **kwargs):
    ticket = make_ticket(setup, **kwargs)
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def fee_ticket(setup, kb):
    close(setup, make_ticket(setup, category="fee_dispute", title="称重多收运费",
                             description="客户说实际1公斤按3公斤收了运费，要求退差价"),
          "调取揽收称重照片，确认多收2公斤，已退差价8元")
    return working(setup, category="fee_dispute", title="运费多收",
                   description="我称了只有1公斤，你们按3公斤收费，要求退差价")


def test_ticket_page_shows_knowledge_suggestions_and_macros(setup, fee_ticket):
    from knowledge.models import Article, Macro

    html = page(client_for(setup.agent), f"/console/tickets/{fee_ticket.pk}/")
    assert "知识与建议" in html and "快捷回复" in html
    assert html.count('data-panel="knowledge"') == 1
    internal = Article.objects.get(title="【内部】费用争议核实步骤（称重复核）")
    customer = Article.objects.get(title="运费多扣了、称重不对，怎么申请退差价")
    # both audiences are for agents, each with a link to read it in the console
    assert f"/console/kb/articles/{internal.pk}/?ticket={fee_ticket.pk}" in html
    assert f"/console/kb/articles/{customer.pk}/?ticket={fee_ticket.pk}" in html
    assert "称重多收运费" in html and "已退差价8元" in html  # similar ticket, its resolution
    macros = [m for m in Macro.objects.filter(active=True)
              if not m.category_codes or "fee_dispute" in m.category_codes]
    assert macros
    for macro in macros:
        assert f"/console/kb/tickets/{fee_ticket.pk}/macros/{macro.pk}/apply/" in html
    # the panel alone, as console.js re-renders it
    panel = page(client_for(setup.agent), f"/console/panels/knowledge/?ticket={fee_ticket.pk}")
    assert "知识与建议" in panel and internal.title in panel


def test_knowledge_panel_follows_ticket_scoping(setup, kb):
    hidden = make_ticket(setup, category="fee_dispute", queue_code=setup.other_queue.code)
    client = client_for(setup.agent)
    assert client.get(f"/console/panels/knowledge/?ticket={hidden.pk}").status_code == 404
    assert client.post(f"/console/kb/tickets/{hidden.pk}/use/",
                       {"kind": "article", "id": "1"}).status_code == 302
    from knowledge.models import AssistUsage

    assert not AssistUsage.objects.exists()


def test_using_a_suggestion_records_it_through_knowledge(setup, fee_ticket):
    from knowledge.models import Article, AssistUsage
    from tickets import hooks

    article = Article.objects.get(title="【内部】费用争议核实步骤（称重复核）")
    client = client_for(setup.agent)
    response = client.post(f"/console/kb/tickets/{fee_ticket.pk}/use/",
                           {"kind": "article", "id": str(article.pk)}, follow=True)
    assert "已记录为本工单采用" in response.content.decode()
    usage = AssistUsage.objects.get()
    assert (usage.kind, usage.object_id, usage.ticket_id, usage.user_id) == (
        "article", article.pk, fee_ticket.pk, setup.agent.pk)
    article.refresh_from_db()
    assert article.used_in_replies == 1
    assert hooks.kb_references(fee_ticket) == [{"id": article.pk, "title": article.title}]
    # a similar ticket, and an unknown one (the action's error, not a 500)
    similar = AssistUsage.objects.count()
    response = client.post(f"/console/kb/tickets/{fee_ticket.pk}/use/",
                           {"kind": "similar_ticket", "id": "999999"}, follow=True)
    assert response.status_code == 200 and AssistUsage.objects.count() == similar


def test_applying_a_macro_replies_through_the_action(setup, fee_ticket, roles):
    from knowledge.actions import check_save_macro
    from knowledge.models import AssistUsage
    from tickets.models import TicketComment

    ops = UserFactory(username="ops01", roles=["ops"])
    macro = check_save_macro(user=ops, name="费用已核实",
                             body="工单 {ticket_no} 已核实，差价将退回。",
                             category_codes=["fee_dispute"], add_tags=["已核实"])
    html = page(client_for(setup.agent), f"/console/tickets/{fee_ticket.pk}/")
    assert "费用已核实" in html and f"工单 {fee_ticket.number} 已核实" in html  # preview
    response = client_for(setup.agent).post(
        f"/console/kb/tickets/{fee_ticket.pk}/macros/{macro.pk}/apply/", follow=True)
    assert "快捷回复已应用" in response.content.decode()
    comment = TicketComment.objects.filter(ticket=fee_ticket).latest("id")
    assert comment.body == f"工单 {fee_ticket.number} 已核实，差价将退回。"
    assert comment.visibility == "public"
    fee_ticket.refresh_from_db()
    assert "已核实" in fee_ticket.tags
    assert AssistUsage.objects.filter(kind="macro", object_id=macro.pk).count() == 1
    # another agent (not the owner) is refused by tickets' action: message, nothing written
    response = client_for(setup.agent2).post(
        f"/console/kb/tickets/{fee_ticket.pk}/macros/{macro.pk}/apply/", follow=True)
    assert response.status_code in (200, 404)
    assert TicketComment.objects.filter(ticket=fee_ticket, body=comment.body).count() == 1


def test_article_page_renders_sanitised_markdown(setup, kb, roles):
    from knowledge.actions import check_save_article
    from knowledge.models import Article

    ops = UserFactory(username="ops01", roles=["ops"])
    base = Article.objects.filter(status="published").first()
    article = check_save_article(
        user=ops, title="内部：测试文章",
        body="## 步骤\n\n1. **核实**称重\n\n<script>alert(1)</script>",
        category=base.category.code, audience="internal", status="published")
    html = page(client_for(setup.agent), f"/console/kb/articles/{article.pk}/")
    assert "<h2>步骤</h2>" in html and "<strong>核实</strong>" in html
    assert "<script>alert(1)</script>" not in html and "仅限内部" in html
    draft = check_save_article(user=ops, title="草稿", body="未发布", category=base.category.code,
                               audience="internal", status="draft")
    assert client_for(setup.agent).get(f"/console/kb/articles/{draft.pk}/").status_code == 404


@pytest.fixture
def templates(setup):
    """The demo's ticket templates (tickets/quality/demo.py) on damaged_parcel."""
    from tests.factories import CategoryFactory
    from tickets.quality import demo

    setup.categories["damaged_parcel"] = CategoryFactory(code="damaged_parcel",
                                                         default_priority="P1")
    demo.seed_templates()
    return setup


def test_ticket_form_shows_the_template_and_saves_through_the_action(templates):
    setup = templates
    ticket = working(setup, category="damaged_parcel", title="生鲜破损",
                     form_values={"goods_value": "398元"})
    client = client_for(setup.agent)
    html = page(client, f"/console/tickets/{ticket.pk}/")
    assert "工单表单" in html and "商品价值（元）" in html and 'value="398.0"' in html
    assert "破损照片" in html and "尚未上传凭证" in html and "缺少必填项：1" in html
    response = client.post(f"/console/tickets/{ticket.pk}/form/",
                           {"field": ["goods_value"], "f_goods_value": "120"}, follow=True)
    assert "表单已保存" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.form_values == {"goods_value": 120.0}
    assert ticket.events.filter(kind="field_change").exists()
    # a bad value is the action's message, the form is unchanged
    response = client.post(f"/console/tickets/{ticket.pk}/form/",
                           {"field": ["goods_value"], "f_goods_value": "很多"}, follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.form_values == {"goods_value": 120.0}
    # not the owner: refused by the action
    client_for(setup.agent2).post(f"/console/tickets/{ticket.pk}/form/",
                                  {"field": ["goods_value"], "f_goods_value": "1"})
    ticket.refresh_from_db()
    assert ticket.form_values == {"goods_value": 120.0}


@pytest.fixture
def station(setup):
    from datetime import time

    from stations.models import Station

    return Station.objects.create(
        code="HZ-XH-01", name="杭州西湖文三路网点", carrier="sf", province="浙江省",
        city="杭州市", district="西湖区", latitude=30.2806, longitude=120.1302,
        opens_at=time(0), closes_at=time(0), capacity=5)


def test_station_tasks_and_the_paused_clock_on_the_ticket_page(setup, station):
    from stations.actions import do_complete_station_task, do_create_station_task
    from tickets.models import Ticket

    ticket = working(setup)
    with_lock = Ticket.objects.get(pk=ticket.pk)
    task = do_create_station_task(with_lock, station=station, kind="verify_delivery",
                                  note="请核实是否已派送", acting_user=setup.supervisor)
    client = client_for(setup.agent)
    html = page(client, f"/console/tickets/{ticket.pk}/")
    assert "网点任务" in html and "杭州西湖文三路网点" in html and "请核实是否已派送" in html
    assert 'data-panel="station_tasks"' in html and "station_reply" in html  # refreshed live
    assert "计时暂停" in html and f"网点任务 #{task.pk}" in html
    assert task.due_at.astimezone().strftime("%m-%d %H:%M") in html
    do_complete_station_task(task, result="delivered_to_locker", note="已放丰巢柜",
                             acting_user=setup.supervisor)
    panel = page(client, f"/console/panels/station_tasks/?ticket={ticket.pk}")
    assert "结果：已放入快递柜/驿站 — 已放丰巢柜" in panel and "已反馈" in panel
    head = page(client, f"/console/panels/ticket_head/?ticket={ticket.pk}")
    assert "计时暂停" not in head
    hidden = make_ticket(setup, queue_code=setup.other_queue.code)
    assert client.get(f"/console/panels/station_tasks/?ticket={hidden.pk}").status_code == 404


def test_supervisor_page_lists_reports_and_open_incidents(setup, tmp_path, settings):
    from analytics.models import Incident

    call_command("build_report", "daily", "--out", str(tmp_path), stdout=StringIO())
    parent = make_ticket(setup, category="batch_incident", title="杭州转运中心批量滞留")
    make_ticket(setup, title="子工单一", parent_id=parent.pk)
    Incident.objects.create(kind="stall_cluster", key="杭州转运中心|sf", ticket=parent,
                            location="杭州转运中心", carrier="sf", shipments_count=37,
                            support=[{"code": "HZ-1", "name": "杭州西湖网点", "carrier": "sf",
                                      "distance_km": 8.4, "spare_capacity": 6}])
    client = client_for(setup.supervisor)
    html = page(client, "/console/supervisor/")
    assert "报表" in html and "未关闭的批量事件" in html
    assert html.count('data-panel="analytics_reports"') == 1
    assert html.count('data-panel="analytics_incidents"') == 1
    report_url = html.split('href="/api/analytics/reports/')[1].split('"')[0]
    assert report_url.endswith("/files/report.html")
    # the link works with the console's session (no token)
    response = client.get("/api/analytics/reports/" + report_url)
    assert response.status_code == 200
    assert "客服日报" in b"".join(response.streaming_content).decode()
    assert parent.number in html and "37" in html and "杭州西湖网点" in html
    assert "1（1 个未关闭）" in html
    # agents and reviewers: neither the panels nor the files
    for user in (setup.agent, setup.reviewer):
        other = client_for(user)
        assert other.get("/console/panels/analytics_reports/").status_code == 404
        assert other.get("/api/analytics/reports/" + report_url).status_code == 403
    assert "未关闭的批量事件" not in page(client_for(setup.agent),
                                         f"/console/tickets/{parent.pk}/")
    panel = page(client, "/console/panels/analytics_incidents/")
    assert parent.number in panel
