"""Normalisation and the exact-shape slots: deterministic, no model needed."""

import pytest

from chatbot.nlu import lexicon, patterns, spans
from chatbot.nlu.normalize import normalize


def slots(text):
    return patterns.extract(normalize(text).upper())


def test_normalize_full_width_and_traditional():
    assert normalize("請問單號ＳＦ１４０９８２１７３３５２６") == "请问单号SF1409821733526"
    assert normalize("  快递\u200b  到了嗎 ") == "快递 到了吗"


@pytest.mark.parametrize(("text", "expected"), [
    ("sf 1409 8217 3352 6到哪了", {"waybill": ["SF1409821733526"]}),
    ("单号sf-1409-8217-3352-6电话138-0013-8000",
     {"waybill": ["SF1409821733526"], "phone": ["13800138000"]}),
    ("+86 138 0013 8000 顺丰SF1409821733526",
     {"waybill": ["SF1409821733526"], "phone": ["13800138000"]}),
    ("１３８００１３８０００ 單號ＹＴ７５１２３４５６７８９０１",
     {"waybill": ["YT7512345678901"], "phone": ["13800138000"]}),
    ("我的电话是13800138000,单号SF1409821733526",
     {"waybill": ["SF1409821733526"], "phone": ["13800138000"]}),
    ("国际件 ea123456785cn", {"waybill": ["EA123456785CN"]}),
    ("工单TK20261121000123处理到哪了", {"ticket_no": ["TK20261121000123"]}),
    ("快递 7531 5229 5655 和 jdva05860339224",
     {"waybill": ["753152295655", "JDVA05860339224"]}),
    ("2026-11-21买的 花了100元 订单 12345", {}),
    ("手机尾号1234", {}),
])
def test_waybill_phone_ticket_extraction(text, expected):
    assert slots(text) == expected


def test_goods_from_the_lexicon():
    assert lexicon.goods("大闸蟹都死了，还有一部手机") == ["fresh", "valuable"]
    assert lexicon.goods("寄的合同和玻璃杯") == ["document", "fragile"]


def test_rule_spans_time_and_hub():
    found = spans.rule_spans("我的快递怎么卡在杭州中转场3天了，明天下午能到吗")
    assert found == {"time": ["3天", "明天下午"], "location": ["杭州中转场"]}
    assert spans.rule_spans("放菜鸟驿站就行")["location"] == ["菜鸟驿站"]
    assert spans.rule_spans("从深圳寄到乌鲁木齐")["location"] == ["深圳", "乌鲁木齐"]


def test_merge_keeps_the_longest_value():
    assert spans.merge({"location": ["杭州"]}, {"location": ["杭州中转场"]}) == {
        "location": ["杭州中转场"]}
