"""Normalisation and the exact-shape slots: deterministic, no model needed."""

import pytest

from chatbot.nlu import lexicon, patterns, spans
from chatbot.nlu.normalize import canonical, normalize


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


@pytest.mark.parametrize(("text", "expected"), [
    # Voice input reads numbers out in Chinese digits, with 幺 for 1.
    ("我电话幺三八 零零一三 八零零零", {"phone": ["13800138000"]}),
    ("单号s f一四零九八二一七三三五二六", {"waybill": ["SF1409821733526"]}),
    ("0086-13800138000", {"phone": ["13800138000"]}),
    ("＋８６ １３８－００１３－８０００", {"phone": ["13800138000"]}),
    ("jt-1188-2930-4475-6 三天没动", {"waybill": ["JT1188293044756"]}),
    ("单号7 5 8 1 - 2 2 0 4 - 6 6 1 3 - 9 8", {"waybill": ["75812204661398"]}),
    ("单号为SF.1409.8217.3352.6", {"waybill": ["SF1409821733526"]}),
    ("电话 138 - 0013 - 8000", {"phone": ["13800138000"]}),
    # An order number has a generic waybill's shape: not taken after 订单号.
    ("订单号 202611231234567 运单号 SF1409821733526", {"waybill": ["SF1409821733526"]}),
    ("价格2.5元 重量3.2kg v1.2.3", {}),
    # Short runs of Chinese digits are words, not numbers.
    ("一一说明 三五天", {}),
])
def test_numbers_in_unusual_formats(text, expected):
    assert slots(text) == expected


def test_spelled_digits_only_for_long_runs():
    assert normalize("等了三天 一二三四五六七八九零幺") == "等了三天 12345678901"
    assert normalize("十一月一号") == "十一月一号"


@pytest.mark.parametrize(("text", "expected"), [
    ("快第到哪了 但号多少", "快递到哪了 单号多少"),
    ("物流显示签手了", "物流显示签收了"),
    ("個件喺邊度", "这个件在哪里"),
    ("咋整 啥时候到", "怎么办 什么时候到"),
    ("kd丢了 zrg", "快递丢了 转人工"),
    # Slang only as whole ASCII words: not the letters inside a waybill.
    ("sfkd1234", "sfkd1234"),
    # 联系/系统 keep their 系.
    ("联系不上 系统显示", "联系不上 系统显示"),
])
def test_canonical_folds_typos_dialect_and_slang(text, expected):
    assert canonical(text) == expected


def test_waybill_carriers_from_detection_or_the_named_carrier():
    found = patterns.waybill_carriers(["SF1409821733526"], "")
    assert found == [{"number": "SF1409821733526", "carrier": "sf", "carrier_name": "顺丰速运"}]
    # 43 + 13 digits fits 申通 and 韵达: the carrier the customer names settles it.
    assert patterns.waybill_carriers(["430355671625798"], "韵达的件")[0]["carrier"] == "yunda"
    assert patterns.waybill_carriers(["430355671625798"], "到哪了")[0]["carrier"] is None
    # A number no pattern knows takes the one carrier named, but not with several numbers.
    assert patterns.waybill_carriers(["79438751271857"], "中通 79438751271857")[0][
        "carrier"] == "zto"
    assert [w["carrier"] for w in patterns.waybill_carriers(
        ["79438751271857", "SF1409821733526"], "中通")] == [None, "sf"]


def test_goods_ignore_words_that_only_contain_a_goods_word():
    assert lexicon.goods("我手机号是多少 用手机查不到") == []
    assert lexicon.goods("卡在广州转运中心了") == []
    assert lexicon.goods("my laptop screen cracked, also some seafood") == ["valuable", "fresh"]
    assert lexicon.goods("寄去日本的") == ["international"]
    # English words match whole words only.
    assert lexicon.goods("this is glasses-free") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("改成成都市武侯区人民南路四段12号", ["成都市武侯区人民南路四段12号"]),
    ("新地址是杭州市西湖区文三路259号，谢谢", ["杭州市西湖区文三路259号"]),
    ("寄到上海市浦东新区张江路88弄3号楼502室", ["上海市浦东新区张江路88弄3号楼502室"]),
    ("送到江宁区双龙大道1539号", ["江宁区双龙大道1539号"]),
    ("送到阳光花园3栋502", ["阳光花园3栋502"]),
    ("地址 幸福小区12号楼2单元301 谢谢", ["幸福小区12号楼2单元301"]),
    ("路上3天了", None),
    ("单号75881209371562 工单号TK20261121000123", None),
])
def test_street_addresses(text, expected):
    assert spans.rule_spans(normalize(text)).get("address") == expected


def test_time_and_places_in_more_wordings():
    found = spans.rule_spans("十来天了 两个星期 三个工作日 下午四点前 第四天 一整天 前几天")
    assert found["time"] == ["十来天", "两个星期", "三个工作日", "下午四点", "第四天", "一整天",
                             "前几天"]
    found = spans.rule_spans("stuck in Hangzhou for 5 days, deliver saturday morning after 6pm")
    assert found == {"time": ["5 days", "saturday morning", "after 6pm"],
                     "location": ["Hangzhou"]}
    assert spans.rule_spans("我家在朝阳区")["location"] == ["朝阳区"]
