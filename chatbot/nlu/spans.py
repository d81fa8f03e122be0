"""Rule spans for time expressions and named hubs/stations, merged with the HanLP NER's spans.

The rules catch the closed classes customers write the same way everywhere (3天, 明天下午,
周六上午, 11月20号; 杭州中转场, 义乌分拨中心, 菜鸟驿站); the trained NER adds what rules miss
(addresses, unusual place names).
"""

import re
from functools import cache

from chatbot.nlu.places import BRANDS, PINYIN, PLACES

_NUM = r"(?:\d+|[一二两三四五六七八九十半几]+)"
_PART = r"(?:上午|下午|晚上|中午|早上|傍晚|凌晨|半夜)"
_CLOCK = rf"{_NUM}点(?:半|\d+分|[一二三四五]?十?[一二三四五六七八九]?分)?"
_UNIT = r"(?:天|日(?![期子])|小时|个小时|钟头|周|星期|个月|分钟|礼拜|个工作日|工作日|年)"
_TIME = re.compile(
    rf"(?:(?:好|十)?{_NUM}(?:个|来|多)?{_UNIT}多?"
    rf"|第{_NUM}(?:天|日|周|次)"
    rf"|一整?(?:天|{_PART})"
    r"|(?:大前天|前天|昨天|今天|明天|后天|大后天|今晚|明晚|今早|明早|昨晚|当天|这周|下周|上周|本周"
    r"|这个月|上个月|下个月|周末|月底|月初|前几天|这几天|那几天)"
    r"(?:[一二三四五六日天](?![\u4e00-\u9fa5]{0,0}[个]))?"
    rf"{_PART}?(?:{_CLOCK})?"
    rf"|(?:上|下|这)?(?:周|星期|礼拜)[一二三四五六日天]{_PART}?(?:{_CLOCK})?"
    rf"|\d{{1,2}}月\d{{1,2}}[日号]?{_PART}?(?:{_CLOCK})?|\d{{1,2}}月(?:份)?(?=[^\d])"
    rf"|{_PART}?{_CLOCK}|{_PART})"
)
_EN_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_EN_NUM = r"(?:\d+|an?|one|two|three|four|five|six|seven|ten|few|couple of)"
_TIME_EN = re.compile(
    rf"(?<![a-z])(?:(?:(?:last|next|this)\s+)?(?:{_EN_DAY}|week|weekend|month){_EN_PART}"
    rf"|(?:today|tomorrow|yesterday|tonight){_EN_PART}"
    rf"|{_EN_NUM}\s*(?:days?|hours?|weeks?|months?)"
    r"|(?:after|before|by|around|at)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)"
    r"|\d{1,2}(?::\d{2})?\s*(?:am|pm))(?![a-z])",
    re.IGNORECASE,
)
_HUB_SUFFIX = re.compile(
    r"(?:中转场|转运中心|分拨中心|集散中心|中转中心|中转站|分拣中心|营业部|营业点|网点|驿站|快递柜|"
    r"丰巢柜|自提点|代收点|分部|仓库)"
)


# A place name with its administrative suffix is one location (朝阳区, 成都市).
_ADMIN = ("省", "市", "区", "县", "新区", "镇")
_PINYIN = re.compile(r"(?<![A-Za-z])(?:"
                     + "|".join(map(re.escape, sorted(PINYIN, key=len, reverse=True)))
                     + r")(?![A-Za-z])", re.IGNORECASE)
_BREAK = re.compile(r"[的了在到是么卡，。,！!？?\s]")


@cache
def _places():
    from hanlp_trie import Trie

    trie = Trie()
    for name in PLACES:
        trie[name] = "place"
        for suffix in _ADMIN:
            trie[name + suffix] = "place"
    for name in BRANDS:
        trie[name] = "brand"
    return trie


def rule_spans(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"time": [], "location": []}
    for match in (*_TIME.finditer(text), *_TIME_EN.finditer(text)):
        if match.group(0) not in found["time"]:
            found["time"].append(match.group(0))
    for match in _PINYIN.finditer(text):
        found["location"].append(match.group(0))
    names = _places().parse_longest(text)
    used = []
    for suffix in _HUB_SUFFIX.finditer(text):
        # A hub or station starts at the nearest place or brand name up to 8 characters before
        # its suffix, and takes in further place names (上海 浦东 转运中心).
        anchors = [(b, e) for b, e, _ in names if suffix.start() - 8 <= b and e <= suffix.start()]
        if not anchors:
            continue
        begin = next((b for b, _e in anchors if not _BREAK.search(text[b:suffix.start()])), None)
        if begin is None:
            continue
        found["location"].append(text[begin:suffix.end()])
        used.append((begin, suffix.end()))
    for begin, end, kind in names:
        if kind == "place" and not any(b <= begin and end <= e for b, e in used):
            if text[begin:end] not in found["location"]:
                found["location"].append(text[begin:end])
    address = addresses(text)
    if address:
        found["address"] = address
        # A place inside an address is part of it, not a location of its own.
        found["location"] = [p for p in found["location"] if not any(p in a for a in address)]
    return {k: v for k, v in found.items() if v}


# Street addresses: a road (…路/街/大道/巷/弄) with a house number, extended to the left over
# administrative units (杭州市 西湖区) and to the right over building, unit and room.
_ROAD = re.compile(
    r"(?:路|街|大道|大街|道|巷|弄|胡同)(?:[一二三四五六七八九十\d]+段)?\d+(?:-\d+)?[号弄](?:\d+号)?"
    r"(?:院|楼)?(?:\d+(?:栋|幢|号楼|座))?(?:\d+单元)?(?:\d+(?:室|号)?)?")
# A residential estate or building with its building/unit/room numbers (阳光花园3栋502,
# 望京SOHO T3 1502 is left to the recogniser).
_ESTATE = re.compile(
    r"(?:小区|花园|公寓|大厦|广场|家园|新村|华府|雅苑|苑|村)"
    r"(?:\d+(?:期|区|栋|幢|号楼|座|单元|层|楼|室|号)-?)+(?:\d+(?:室|号)?)?")
# Characters that end the road name on its left: verbs and particles customers put before an
# address (改成, 送到, 地址是, 我家在 …) and punctuation.
_ROAD_STOP = set("是到在成寄送改址为：:，,。的去往我家住放派换填写叫要就新旧老 ")


def addresses(text: str) -> list[str]:
    found = []
    for match in (*_ROAD.finditer(text), *_ESTATE.finditer(text)):
        begin = match.start()
        while begin > 0 and match.start() - begin < 14 and "\u4e00" <= text[begin - 1] <= \
                "\u9fa5" and text[begin - 1] not in _ROAD_STOP:
            begin -= 1
        if begin == match.start():
            continue
        # The stop characters also occur inside place names (成都, 南京): take an
        # administrative place that straddles the start, then every one right before it
        # (上海市 浦东新区 张江路…).
        while True:
            window = max(begin - 8, 0)
            places = [(b + window, e + window)
                      for b, e, _kind in _places().parse_longest(text[window:begin + 4])]
            start = next((b for b, e in places if b < begin < e
                          or (e == begin and text[e - 1] in "省市区县镇")), None)
            if start is None:
                break
            begin = start
        value = text[begin:match.end()]
        if not any(value in other or other in value for other in found):
            found.append(value)
    return found


def merge(*sources: dict[str, list[str]]) -> dict[str, list[str]]:
    """Union per slot; a value contained in a longer value of the same slot is dropped."""
    merged: dict[str, list[str]] = {}
    for source in sources:
        for slot, values in source.items():
            for value in values:
                bucket = merged.setdefault(slot, [])
                if any(value in other for other in bucket):
                    continue
                bucket[:] = [other for other in bucket if other not in value]
                bucket.append(value)
    return merged
