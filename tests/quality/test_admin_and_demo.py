"""Ops screens and the demo data of templates and quality review."""

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from tickets.models import (
    Category,
    ForbiddenPhrase,
    QualityFinding,
    SamplingPolicy,
    TemplateField,
    Ticket,
)


@pytest.mark.django_db
def test_ops_edit_templates_policies_and_phrases_in_admin(templates, client):
    ops = UserFactory(username="ops09", roles=["ops"], is_staff=True, is_superuser=True)
    client.force_login(ops)
    category = Category.objects.get(code="damaged_parcel")
    page = client.get(f"/admin/tickets/category/{category.pk}/change/")
    assert page.status_code == 200 and "goods_value" in page.content.decode()
    for url in ("/admin/tickets/samplingpolicy/add/", "/admin/tickets/forbiddenphrase/",
                "/admin/tickets/qualityfinding/", "/admin/tickets/reviewscorecard/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/admin/tickets/samplingpolicy/add/", {
        "name": "新人全检", "active": "on", "order": 10, "rate": 100, "categories": "[]",
        "priorities": "[]", "new_agent_tickets": 20, "agent_csat_below": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SamplingPolicy.objects.get(name="新人全检").new_agent_tickets == 20
    response = client.post("/admin/tickets/forbiddenphrase/add/",
                           {"phrase": "包赔", "active": "on", "note": ""})
    assert response.status_code == 302
    assert ForbiddenPhrase.objects.filter(phrase="包赔").exists()


@pytest.mark.django_db
def test_seed_demo_templates_policies_and_tickets():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)  # idempotent
    assert TemplateField.objects.filter(category__code="damaged_parcel").count() == 2
    assert SamplingPolicy.objects.filter(name="质检团队抽检（基础）", rate=10).count() == 1
    assert SamplingPolicy.objects.count() == 6
    assert ForbiddenPhrase.objects.filter(phrase="全额 赔付").exists()
    complaint = Ticket.objects.get(title="快递员态度恶劣，不送货上门")
    assert complaint.form_values["complaint_level"] == "严重"
    glass = Ticket.objects.get(title="易碎品玻璃杯破损")
    assert glass.status == "closed"
    assert glass.attachments.get().evidence_for == "photo"
    empty_box = Ticket.objects.get(title="空包裹，只收到外箱")  # wrong_item needs a photo
    assert empty_box.status == "review"
    assert QualityFinding.objects.filter(ticket=empty_box, kind="missing_evidence").exists()
