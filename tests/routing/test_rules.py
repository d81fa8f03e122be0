"""Rule matching: every condition type, order, catch-all, effects on the ticket."""

import pytest

from routing import rules
from routing.rules import TicketFacts
from tests.factories import CustomerFactory, make_ticket
from tests.routing.conftest import rule, skill
from tickets.models import Ticket

FACTS = TicketFacts(category="fee_dispute", priority="P2", region="浙江省杭州市西湖区",
                    channel="chatbot", customer_tags=frozenset({"vip"}),
                    carriers=frozenset({"sf"}), text="运费比报价高了 international".casefold(),
                    tags=frozenset())


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "hit", "miss"), [
    ("categories", ["fee_dispute"], ["lost_parcel"]),
    ("priorities", ["P1", "P2"], ["P0"]),
    ("regions", ["浙江"], ["广东"]),
    ("channels", ["chatbot"], ["phone"]),
    ("customer_tags", ["elderly", "vip"], ["elderly"]),
    ("carriers", ["SF"], ["yto"]),
    ("keywords", ["报价"], ["丢失"]),
])
def test_each_condition_type_matches_and_misses(setup, field, hit, miss):
    rule("miss", order=1, **{field: miss})
    rule("hit", order=2, **{field: hit})
    assert rules.match(FACTS).rule.name == "hit"


@pytest.mark.django_db
def test_all_conditions_must_hold_and_first_in_order_wins(setup):
    rule("both but wrong region", order=1, categories=["fee_dispute"], regions=["上海"])
    rule("later", order=20, categories=["fee_dispute"])
    rule("earlier", order=10, categories=["fee_dispute"], keywords=["运费"])
    rule("inactive", order=0, categories=["fee_dispute"], active=False)
    assert rules.match(FACTS).rule.name == "earlier"


@pytest.mark.django_db
def test_catch_all_matches_what_nothing_else_does(setup):
    rule("lost", order=1, categories=["lost_parcel"])
    rule("catch-all", order=999)
    assert rules.match(FACTS).rule.name == "catch-all"
    RoutingRuleModel = rules.RoutingRule
    RoutingRuleModel.objects.filter(name="catch-all").delete()
    assert rules.match(FACTS).rule is None


@pytest.mark.django_db
def test_conditions_are_data_not_code(setup):
    rule("evil", order=1, keywords=["__import__('os').system('false')"])
    assert rules.match(FACTS).rule is None


@pytest.mark.django_db
def test_required_and_relevant_skills(setup):
    fee = skill("fee", match="fee_dispute")
    sf = skill("sf", kind="carrier", match="sf")
    zj = skill("zj", kind="region", match="浙江")
    vip = skill("vip", kind="special", match="vip")
    skill("lost", match="lost_parcel")
    english = skill("english", kind="special", match="english")
    rule("needs english", order=1, required=[english])
    matched = rules.match(FACTS)
    assert matched.required_ids == (english.pk,)
    assert set(matched.skill_ids) == {english.pk, fee.pk, sf.pk, zj.pk, vip.pk}


@pytest.mark.django_db
def test_matched_rule_moves_queue_overrides_priority_adds_tags(setup, commit):
    rule("fee in 浙江", order=1, categories=["fee_dispute"], regions=["浙江"],
         queue=setup.other_queue, priority_override="P1", add_tags=["华东"])
    with commit():
        ticket = make_ticket(setup, category="fee_dispute", region="浙江省杭州市")
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.priority, ticket.tags) == (setup.other_queue, "P1", ["华东"])
    decision = ticket.routing_decisions.get()
    assert decision.rule_name == "fee in 浙江" and decision.winner is None


@pytest.mark.django_db
def test_carrier_is_detected_from_the_waybills(setup, commit):
    rule("yto", order=1, carriers=["yto"], queue=setup.other_queue)
    with commit():
        sf = make_ticket(setup, waybills=["SF1409821733526"])
        yto = make_ticket(setup, waybills=["YT7512345678901"], customer_phone="13800138001")
    assert Ticket.objects.get(pk=sf.pk).queue == setup.queue
    assert Ticket.objects.get(pk=yto.pk).queue == setup.other_queue


@pytest.mark.django_db
def test_customer_tags_condition_on_a_real_ticket(setup, commit):
    CustomerFactory(phone="13800138009", tags=["vip"])
    rule("vip", order=1, customer_tags=["vip"], add_tags=["vip"])
    with commit():
        ticket = make_ticket(setup, customer_phone="13800138009")
    assert Ticket.objects.get(pk=ticket.pk).tags == ["vip"]
