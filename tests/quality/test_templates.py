"""Ticket templates (场景化模板): required fields enforced from every channel."""

import pytest

from config.errors import DomainError
from tests.factories import make_ticket, ticket_in
from tests.quality.conftest import api, png
from tickets import actions, selectors
from tickets.choices import Channel
from tickets.models import Ticket
from tickets.roles import system_user

DAMAGED = {"title": "生鲜破损", "category": "damaged_parcel", "customer_phone": "13800138000",
           "waybills": ["SF1409821733526"]}


@pytest.mark.django_db
def test_staff_api_refuses_a_ticket_without_the_required_fields(templates):
    client = api(templates.agent)
    response = client.post("/api/tickets/", DAMAGED, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_fields"
    assert body["fields"] == ["goods_value"]  # the photo is evidence: checked at review
    assert body["labels"] == {"goods_value": "商品价值（元）"}
    assert "商品价值" in body["detail"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_staff_api_stores_the_form_and_the_detail_shows_it(templates):
    client = api(templates.agent)
    response = client.post("/api/tickets/", {**DAMAGED, "form": {"goods_value": "398元"}},
                           format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.form_values == {"goods_value": 398.0}
    form = client.get(f"/api/tickets/{ticket.pk}/").json()["form"]
    assert form["category"] == "damaged_parcel"
    assert [(f["code"], f["kind"], f["missing"]) for f in form["fields"]] == [
        ("goods_value", "money", False), ("photo", "evidence", True)]
    assert form["missing"] == ["photo"]


@pytest.mark.django_db
def test_bad_values_are_named_per_field(templates):
    client = api(templates.agent)
    response = client.post("/api/tickets/", {
        **DAMAGED, "category": "complaint_service",
        "form": {"complaint_level": "有点生气", "expected_solution": "道歉", "colour": "red"}},
        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_fields"
    assert body["fields"] == ["colour", "complaint_level"]
    assert "一般" in body["errors"]["complaint_level"]


@pytest.mark.django_db
def test_every_channel_goes_through_the_create_action(templates):
    for channel in (Channel.MINI_PROGRAM, Channel.CHATBOT, Channel.COURIER, Channel.PHONE):
        with pytest.raises(DomainError) as raised:
            actions.check_create_ticket(user=system_user(), title="投诉快递员",
                                        category_code="complaint_service", channel=channel,
                                        customer_phone="13800138000",
                                        form_values={"complaint_level": "严重"})
        assert raised.value.code == "missing_fields"
        assert raised.value.extra["fields"] == ["expected_solution"]
    ticket = actions.check_create_ticket(
        user=system_user(), title="投诉快递员", category_code="complaint_service",
        channel=Channel.MINI_PROGRAM, customer_phone="13800138000",
        form_values={"complaint_level": "严重", "expected_solution": "快递员道歉"})
    assert ticket.form_values == {"complaint_level": "严重", "expected_solution": "快递员道歉"}


@pytest.mark.django_db
def test_one_of_group_new_address_or_time_or_pickup_point(templates):
    with pytest.raises(DomainError) as raised:
        make_ticket(templates, category="change_delivery")
    assert raised.value.code == "missing_fields"
    assert raised.value.extra["groups"] == {"change": ["new_address", "new_time",
                                                       "pickup_point"]}
    assert "请补充：新收货地址或新的派送时间或自提点/其他要求。" == raised.value.detail
    ticket = make_ticket(templates, category="change_delivery",
                         form_values={"new_time": "明天下午"})
    assert ticket.form_values == {"new_time": "明天下午"}


@pytest.mark.django_db
def test_categories_without_a_template_are_unaffected(templates):
    ticket = make_ticket(templates)  # lost_parcel in the fixture: no template
    assert ticket.form_values == {}
    ticket = ticket_in(templates, "closed")
    assert ticket.status == "closed"


@pytest.mark.django_db
def test_the_category_template_endpoint_and_the_selector(templates):
    rows = api(templates.agent).get("/api/categories/complaint_service/template/").json()
    assert [(r["code"], r["kind"], r["required"], r["stage"]) for r in rows] == [
        ("complaint_level", "choice", True, "create"),
        ("expected_solution", "text", True, "create")]
    assert rows[0]["choices"] == ["一般", "严重", "非常严重"]
    assert selectors.missing_template_fields("damaged_parcel", {"goods_value": 1}) == []
    assert api(templates.agent).get("/api/categories/nope/template/").status_code == 404


@pytest.mark.django_db
def test_the_owner_fills_the_form_and_it_is_audited(templates):
    ticket = make_ticket(templates, category="change_delivery",
                         form_values={"pickup_point": "菜鸟驿站"})
    actions.check_assign_ticket(user=templates.supervisor, ticket_id=ticket.pk,
                                assignee_id=templates.agent.pk)
    client = api(templates.agent)
    response = client.patch(f"/api/tickets/{ticket.pk}/form/",
                            {"values": {"new_address": "杭州市西湖区文三路100号2单元301室"}},
                            format="json")
    assert response.status_code == 200, response.content
    row = next(f for f in response.json()["fields"] if f["code"] == "new_address")
    assert row["value"] == "杭州市西湖区文三路100号2单元301室"
    assert row["display"] == "杭州市西湖区****"
    event = ticket.events.filter(kind="field_change").last()
    assert event.data["form"] == {"new_address": [None, "杭州市西湖区****"]}
    # Someone else's agent may not.
    other = api(templates.agent2).patch(f"/api/tickets/{ticket.pk}/form/",
                                        {"values": {"new_time": "明天"}}, format="json")
    assert other.status_code == 403


@pytest.mark.django_db
def test_evidence_is_an_attachment_tagged_with_its_field(templates):
    ticket = make_ticket(templates, category="damaged_parcel", form_values={"goods_value": 50})
    actions.check_assign_ticket(user=templates.supervisor, ticket_id=ticket.pk,
                                assignee_id=templates.agent.pk)
    client = api(templates.agent)
    response = client.post(f"/api/tickets/{ticket.pk}/attachments/",
                           {"file": png(), "field": "photo"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["evidence_for"] == "photo"
    form = client.get(f"/api/tickets/{ticket.pk}/form/").json()
    photo = next(f for f in form["fields"] if f["code"] == "photo")
    assert photo["attachments"] == [response.json()["id"]] and not photo["missing"]
    wrong = client.post(f"/api/tickets/{ticket.pk}/attachments/",
                        {"file": png(), "field": "invoice"}, format="multipart")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_fields")


@pytest.mark.django_db
def test_submit_review_needs_the_required_fields_of_a_changed_category(templates):
    ticket = ticket_in(templates, "processing")
    actions.check_update_ticket(user=templates.agent, ticket_id=ticket.pk,
                                category_code="complaint_service")
    with pytest.raises(DomainError) as raised:
        actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk, note="已处理")
    assert raised.value.code == "missing_fields"
    assert raised.value.extra["fields"] == ["complaint_level", "expected_solution"]
    actions.check_update_form(user=templates.agent, ticket_id=ticket.pk, values={
        "complaint_level": "一般", "expected_solution": "道歉"})
    actions.check_submit_review(user=templates.agent, ticket_id=ticket.pk, note="已处理")
    ticket.refresh_from_db()
    assert ticket.status == "review"


@pytest.mark.django_db
def test_customer_delivery_change_fills_the_template_by_meaning(templates):
    from tickets.quality.fields import values_by_kind

    category = templates.categories["change_delivery"]
    assert values_by_kind(category.pk, address="文三路100号", time="", text="x") == {
        "new_address": "文三路100号", "pickup_point": "x"}


@pytest.mark.django_db
def test_the_customer_api_delivery_change_satisfies_the_template(templates, parcel):
    from tickets.actions.customer import check_request_delivery_change

    customer = actions.ensure_customer_user("13900001111")
    parcel("SF1409821733526", "13900001111",
           [(5, "picked_up", "上海", "已揽收"), (1, "in_transit", "上海转运中心", "已发出")])
    ticket = check_request_delivery_change(user=customer.user, waybill="SF1409821733526",
                                           kind="address", address="杭州市西湖区文三路100号")
    assert ticket.channel == Channel.MINI_PROGRAM
    assert ticket.form_values == {"new_address": "杭州市西湖区文三路100号"}
