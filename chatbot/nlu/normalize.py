"""Text normalisation before anything else looks at a message.

`normalize` (every component): NFKC folds full-width letters, digits and punctuation to half
width (１３８ → 138, ＳＦ → SF); OpenCC's t2s turns traditional characters into simplified ones
(請問單號 → 请问单号), offline; numbers read out in Chinese digits, as voice input writes them
(幺三八 零零一三…), become Arabic digits.

`canonical` (intent/emotion features and the lexicon only, never the span slots, which are copied
from the customer's own words): common typos and homophones of domain words (快第 → 快递,
签手 → 签收), Cantonese, 东北 and 川渝 wording, pinyin abbreviations and internet slang folded to
standard Mandarin, so one training sentence covers many ways of writing it.
"""

import re
import unicodedata
from functools import cache

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u3000]+")
_CN_DIGIT = "零〇一幺二三四五六七八九"
# Seven or more Chinese digits, optionally grouped by single spaces or dashes: a phone or waybill
# read out (一三八 零五七一 二二九零). Shorter runs are left alone (三天, 一一 are words).
_CN_NUMBER = re.compile(rf"[{_CN_DIGIT}](?:[ \-]?[{_CN_DIGIT}]){{6,}}")
_CN_TO_ASCII = str.maketrans(_CN_DIGIT, "001123456789")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _spelled_digits(text: str) -> str:
    return _CN_NUMBER.sub(lambda m: m.group(0).translate(_CN_TO_ASCII), text)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text)
    text = _converter().convert(text)
    text = _spelled_digits(text)
    return _SPACES.sub(" ", text).strip()


# Surface form → standard form, applied longest first on normalised (simplified) text.
# Typos and homophones customers type for domain words (pinyin input picks the wrong character).
TYPOS = {
    "快第": "快递", "快地": "快递", "快滴": "快递", "块递": "快递", "筷递": "快递",
    "但号": "单号", "丹号": "单号", "单好": "单号", "蛋号": "单号",
    "签手": "签收", "签受": "签收", "前收": "签收", "签首": "签收",
    "理陪": "理赔", "里赔": "理赔", "陪偿": "赔偿", "赔尝": "赔偿", "陪付": "赔付", "陪钱": "赔钱",
    "转人攻": "转人工", "人攻": "人工", "转仁工": "转人工",
    "头诉": "投诉", "投述": "投诉", "投素": "投诉", "偷诉": "投诉",
    "运废": "运费", "运肺": "运费", "邮废": "邮费",
    "无流": "物流", "物留": "物流", "勿流": "物流",
    "摧一下": "催一下", "摧件": "催件", "摧摧": "催催", "帮我摧": "帮我催",
    "差一下": "查一下", "差件": "查件", "帮我差": "帮我查",
    "包过": "包裹", "包果": "包裹", "寄建": "寄件", "取建": "取件",
    "破顺": "破损", "破孙": "破损", "丢建": "丢件", "改地止": "改地址", "地止": "地址",
    "工但": "工单", "公单": "工单", "驿占": "驿站", "以站": "驿站",
}
# Cantonese (after t2s), 东北, 川渝 and other regional wording.
DIALECT = {
    # Cantonese
    "唔该": "请", "唔系": "不是", "唔": "不", "冇": "没有", "系咪": "是不是", "郁过": "动过",
    "喺": "在", "嘅": "的", "咗": "了", "佢哋": "他们", "佢": "他", "你哋": "你们",
    "我哋": "我们", "边度": "哪里", "去到边": "到哪里", "点解": "为什么", "点算": "怎么办",
    "点样": "怎么样", "几时": "什么时候", "几耐": "多久", "几钱": "多少钱", "几多钱": "多少钱",
    "搵": "找", "俾": "给", "啲": "些", "嘢": "东西", "睇": "看", "攞": "拿", "咩": "什么",
    "乜嘢": "什么", "而家": "现在", "个件": "这个件", "屋企": "家里", "寄咗": "寄了",
    "未到": "没到", "跌咗": "丢了", "烂晒": "烂了", "湿晒": "湿了", "谂": "想", "唔该晒": "谢谢",
    "多谢晒": "谢谢", "啱": "对", "仲": "还",
    # 东北 / 北方
    "咋整": "怎么办", "咋办": "怎么办", "咋回事": "怎么回事", "咋样": "怎么样", "咋": "怎么",
    "整哪去了": "弄哪去了", "瞅瞅": "看看", "瞅": "看", "嘎哈": "干什么", "老妹儿": "你好",
    "俺": "我", "磨磨唧唧": "很慢", "找不着": "找不到", "没影": "没到",
    # 川渝 / 西南
    "啥子": "什么", "没得": "没有", "晓得": "知道", "屋头": "家里", "好多钱": "多少钱",
    # common colloquial
    "啥时候": "什么时候", "啥": "什么", "木有": "没有", "米有": "没有", "肿么": "怎么",
}
# Pinyin abbreviations, internet slang and English words written inside Chinese.
SLANG = {
    "kd": "快递", "zrg": "转人工", "rg": "人工", "kf": "客服", "tk": "退款", "nmd": "你妈的",
    "tmd": "他妈的", "sb": "傻逼", "cnm": "操你妈", "wtf": "搞什么", "yyds": "很好",
    "xswl": "笑死我了", "yysy": "有一说一", "dbq": "对不起", "xs": "笑死", "nsdd": "说得对",
    "3q": "谢谢", "thx": "谢谢", "tks": "谢谢", "pls": "请", "plz": "请", "asap": "尽快",
    "亲": "亲", "在线等": "急", "家人们": "大家",
}


@cache
def _canonical_trie():
    from hanlp_trie import Trie

    trie = Trie()
    for table in (SLANG, DIALECT, TYPOS):
        for surface, standard in table.items():
            if surface != standard:
                trie[surface] = standard
    return trie


_ASCII_WORD = re.compile(r"(?<![a-z0-9])([a-z0-9]+)(?![a-z0-9])")


def canonical(text: str) -> str:
    """Normalised, lower-cased text with typos, dialect and slang folded to standard Mandarin.
    Pinyin/slang abbreviations only match as whole ASCII words (`kd`, not the `kd` inside a
    waybill); Chinese entries match anywhere, longest first."""
    text = normalize(text).lower()
    text = _ASCII_WORD.sub(lambda m: SLANG.get(m.group(1), m.group(1)), text)
    out, last = [], 0
    for begin, end, standard in _canonical_trie().parse_longest(text):
        if text[begin:end].isascii():
            continue
        out.append(text[last:begin])
        out.append(standard)
        last = end
    out.append(text[last:])
    return "".join(out)
