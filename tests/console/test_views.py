"""The console's pages and form posts, through the whole stack (Chinese UI)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import CustomerFactory, make_ticket, ticket_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_anonymous_goes_to_the_console_login_and_back(setup):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.get("/console/tickets/1/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/tickets/1/"
    assert "登录" in client.get("/console/login/").content.decode()
    response = client.post("/console/login/?next=/console/", {
        "username": "agent01", "password": "pw-for-tests-1", "next": "/console/"})
    assert (response.status_code, response["Location"]) == (302, "/console/")
    assert "我的工单" in page(client, "/console/")


def test_wrong_password_is_said_in_chinese(setup):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/console/login/", {"username": "agent01", "password": "nope"})
    assert "用户名或密码错误" in response.content.decode()


def test_customers_get_no_console(setup):
    customer = CustomerFactory(phone="13800138000").user
    response = client_for(customer).get("/console/")
    assert response.status_code == 403
    assert "工作台仅供客服人员使用" in response.content.decode()


def test_agent_home_lists_own_tickets_and_own_queues_only(setup):
    mine = ticket_in(setup, "processing", title="我的工单甲")
    waiting = make_ticket(setup, title="排队工单乙")
    elsewhere = make_ticket(setup, title="别的队列丙", queue_code=setup.other_queue.code)
    html = page(client_for(setup.agent), "/console/")
    assert mine.number in html and waiting.number in html
    assert elsewhere.number not in html
    assert "我的队列" in html and "响应" in html  # the SLA clock of each row
    assert html.count("data-due=") == 2


def test_breached_rows_are_highlighted(setup):
    from datetime import timedelta

    from tickets.actions import record_sla_breaches

    ticket = ticket_in(setup, "assigned")
    record_sla_breaches(now=ticket.response_due + timedelta(minutes=1))
    html = page(client_for(setup.agent), "/console/")
    at = html.index(f'data-ticket="{ticket.pk}"')
    row = html[at - 60:at]
    assert "is-breached" in row
    assert 'data-breached="1"' in html


def test_ticket_page_shows_everything_to_settle_it(setup, parcel):
    parcel("SF1409821733526", "13800138000", [
        (30, "picked_up", "上海", "已揽收"),
        (20, "arrived_at_hub", "杭州转运中心", "到达杭州转运中心")])
    ticket = ticket_in(setup, "processing", customer_tags=["vip"], context={
        "handoff": {"用户诉求": "包裹三天没动", "已触发": "意图 urge_delivery；客户要求转人工",
                    "补充信息": "运单 SF1409821733526"},
        "transcript": [{"sender": "customer", "text": "我的快递卡住了，电话13812345678",
                        "time": "2026-11-23T10:00:00+08:00"},
                       {"sender": "bot", "text": "已为您转人工",
                        "time": "2026-11-23T10:00:05+08:00"}],
        "conversation_id": 5})
    html = page(client_for(setup.agent), f"/console/tickets/{ticket.pk}/")
    assert "138****8000" in html and "13800138000" not in html  # masked customer phone
    assert "138****5678" in html and "13812345678" not in html  # masked inside the transcript
    assert "VIP" in html
    for label in ("用户诉求", "已触发", "补充信息", "包裹三天没动"):
        assert label in html
    assert "我的快递卡住了" in html and "已为您转人工" in html
    assert "杭州转运中心" in html and "物流轨迹" in html
    assert "操作记录" in html and "分派依据" in html
    # every transition this owner may take now, with its form
    assert 'data-action="submit_review"' in html and 'data-action="release"' in html
    assert 'data-action="transfer"' in html and 'data-action="approve"' not in html


def test_a_ticket_outside_my_queues_is_not_found(setup):
    ticket = make_ticket(setup, queue_code=setup.other_queue.code)
    assert client_for(setup.agent).get(f"/console/tickets/{ticket.pk}/").status_code == 404
    assert client_for(setup.agent).get(
        f"/console/panels/ticket_head/?ticket={ticket.pk}").status_code == 404


def test_start_and_submit_for_review_from_the_page(setup):
    ticket = ticket_in(setup, "assigned")
    client = client_for(setup.agent)
    url = f"/console/tickets/{ticket.pk}/transitions/"
    response = client.post(url + "start/", {"text": ""}, follow=True)
    assert "开始处理" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "processing"
    response = client.post(url + "submit_review/", {"text": " "}, follow=True)
    assert "需要" in response.content.decode()  # the note is required: the action says so
    ticket.refresh_from_db()
    assert ticket.status == "processing"
    client.post(url + "submit_review/", {"text": "已联系网点，明日派送"})
    ticket.refresh_from_db()
    assert ticket.status == "review"
    assert ticket.events.filter(to_status="review").get().note == "已联系网点，明日派送"


def test_a_transition_the_role_may_not_take_is_refused_with_a_message(setup):
    ticket = ticket_in(setup, "review")
    response = client_for(setup.agent).post(
        f"/console/tickets/{ticket.pk}/transitions/approve/", {}, follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "review"
    assert "msg error" in response.content.decode()


def test_reviewer_approves_or_rejects_with_a_reason(setup):
    first, second = ticket_in(setup, "review"), ticket_in(setup, "review")
    client = client_for(setup.reviewer)
    html = page(client, "/console/review/")
    assert first.number in html and "已核实并处理" in html  # the proposed resolution
    client.post(f"/console/tickets/{second.pk}/transitions/reject/", {"text": ""})
    second.refresh_from_db()
    assert second.status == "review"  # no reason, no rejection
    client.post(f"/console/tickets/{second.pk}/transitions/reject/",
                {"text": "缺少网点回执", "next": "/console/review/"})
    client.post(f"/console/tickets/{first.pk}/transitions/approve/", {"text": ""})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("closed", "processing")
    assert second.events.filter(to_status="processing").last().note == "缺少网点回执"


def test_agents_cannot_open_the_review_or_supervisor_pages(setup):
    client = client_for(setup.agent)
    assert client.get("/console/review/").status_code == 404
    assert client.get("/console/supervisor/").status_code == 404
    assert client.get("/console/panels/team/").status_code == 404


def test_supervisor_sees_team_waiting_breaches_and_batch_incidents(setup):
    from datetime import timedelta

    from routing.models import AgentProfile
    from tickets.actions import record_sla_breaches

    AgentProfile.objects.create(user=setup.agent, status="online", capacity=3, team="华东一组")
    incident = make_ticket(setup, category="batch_incident", title="杭州转运中心大面积滞留")
    make_ticket(setup, title="滞留件一", parent_id=incident.pk)
    late = ticket_in(setup, "assigned", title="超时件")
    record_sla_breaches(now=late.response_due + timedelta(minutes=1))
    html = page(client_for(setup.supervisor), "/console/supervisor/")
    assert "华东一组" in html and "在线" in html
    assert "排队中的工单" in html and incident.number in html
    assert "杭州转运中心大面积滞留" in html and "关联工单 1 张" in html
    breaches = html[html.index("SLA 超时工单"):]
    assert late.number in breaches


def test_internal_note_and_customer_reply(setup):
    ticket = ticket_in(setup, "processing")
    client = client_for(setup.agent)
    client.post(f"/console/tickets/{ticket.pk}/comments/",
                {"body": "已致电网点", "visibility": "internal"})
    client.post(f"/console/tickets/{ticket.pk}/comments/",
                {"body": "您好，已为您催促网点", "visibility": "public"})
    assert list(ticket.comments.values_list("visibility", "body")) == [
        ("internal", "已致电网点"), ("public", "您好，已为您催促网点")]
    html = page(client, f"/console/tickets/{ticket.pk}/")
    assert "内部备注" in html and "已致电网点" in html


def test_attachment_upload_goes_through_the_action(setup):
    ticket = ticket_in(setup, "processing")
    client = client_for(setup.agent)
    client.post(f"/console/tickets/{ticket.pk}/attachments/",
                {"file": SimpleUploadedFile("回执.png", PNG, content_type="image/png")})
    (attachment,) = ticket.attachments.all()
    assert attachment.content_type == "image/png"
    response = client.post(f"/console/tickets/{ticket.pk}/attachments/",
                           {"file": SimpleUploadedFile("x.exe", b"MZ" * 40)}, follow=True)
    assert ticket.attachments.count() == 1
    assert "msg error" in response.content.decode()


def test_transfer_to_a_colleague(setup):
    ticket = ticket_in(setup, "processing")
    client = client_for(setup.agent)
    client.post(f"/console/tickets/{ticket.pk}/transitions/transfer/",
                {"assignee": setup.agent2.pk, "queue": "", "text": "客户要求英文服务"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner_id) == ("assigned", setup.agent2.pk)


def test_panels_render_fragments(setup):
    ticket = ticket_in(setup, "processing")
    client = client_for(setup.agent)
    html = page(client, "/console/panels/my_tickets/")
    assert ticket.number in html and "<html" not in html
    assert page(client, f"/console/panels/ticket_actions/?ticket={ticket.pk}").count("<form") >= 2
    assert client.get("/console/panels/nope/").status_code == 404


def test_unsafe_next_is_ignored(setup):
    ticket = ticket_in(setup, "assigned")
    response = client_for(setup.agent).post(
        f"/console/tickets/{ticket.pk}/transitions/start/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/console/tickets/{ticket.pk}/"


def test_the_home_page_query_count_does_not_grow_with_tickets(setup,
                                                               django_assert_max_num_queries):
    for _ in range(3):
        ticket_in(setup, "processing")
        make_ticket(setup)
    client = client_for(setup.agent)
    client.get("/console/")  # warm per-process caches (roles, catalog)
    with django_assert_max_num_queries(12):
        client.get("/console/")
    for _ in range(5):
        ticket_in(setup, "processing")
        make_ticket(setup)
    with django_assert_max_num_queries(12):
        client.get("/console/")
