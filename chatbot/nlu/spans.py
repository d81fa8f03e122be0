"""Rule spans for time expressions and named hubs/stations, merged with the HanLP NER's spans.

The rules catch the closed classes customers write the same way everywhere (3天, 明天下午,
周六上午, 11月20号; 杭州中转场, 义乌分拨中心, 菜鸟驿站); the trained NER adds what rules miss
(addresses, unusual place names).
"""

import re
from functools import cache

from chatbot.nlu.places import BRANDS, PLACES

_NUM = r"(?:\d+|[一二两三四五六七八九十半]+)"
_TIME = re.compile(
    rf"(?:{_NUM}个?多?(?:天|小时|个小时|钟头|周|星期|个月|分钟|礼拜)多?"
    r"|(?:大前天|前天|昨天|今天|明天|后天|大后天|今晚|明晚|今早|明早|昨晚|当天|这周|下周|上周|本周"
    r"|这个月|上个月|周末|月底|月初)(?:[一二三四五六日天](?![\u4e00-\u9fa5]{0,0}[个]))?"
    r"(?:上午|下午|晚上|中午|早上|傍晚)?"
    r"|(?:上|下|这)?(?:周|星期|礼拜)[一二三四五六日天](?:上午|下午|晚上|中午|早上)?"
    rf"|\d{{1,2}}月\d{{1,2}}[日号]?(?:上午|下午|晚上)?|{_NUM}点(?:半)?"
    r"|(?:上午|下午|晚上|中午|早上|傍晚))"
)
_HUB_SUFFIX = re.compile(
    r"(?:中转场|转运中心|分拨中心|集散中心|中转中心|中转站|分拣中心|营业部|营业点|网点|驿站|快递柜|"
    r"丰巢柜|自提点|代收点|分部|仓库)"
)


_BREAK = re.compile(r"[的了在到是么卡，。,！!？?\s]")


@cache
def _places():
    from hanlp_trie import Trie

    trie = Trie()
    for name in PLACES:
        trie[name] = "place"
    for name in BRANDS:
        trie[name] = "brand"
    return trie


def rule_spans(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"time": [], "location": []}
    for match in _TIME.finditer(text):
        if match.group(0) not in found["time"]:
            found["time"].append(match.group(0))
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
    return {k: v for k, v in found.items() if v}


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
