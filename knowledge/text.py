"""Search tokens: the chatbot's text pipeline (NFKC, OpenCC traditional→simplified, typos,
dialect and slang folded by `canonical`), then the longest-match domain dictionary in HanLP's
trie (the NLU lexicon plus knowledge/synonyms.py, synonyms folded to one word), then character
bigrams for whatever the dictionary does not know.

Chinese has no spaces and customers write freely; bigrams of the unknown rest match partial
and misspelt phrasings, the dictionary keeps domain words whole and merges their synonyms.
Single characters are kept as weak `~x` tokens so a one-character typo still overlaps.
The same function tokenises articles at save time and questions at search time.
"""

import re
from functools import cache

from chatbot.nlu import lexicon
from chatbot.nlu.normalize import normalize

try:  # typos, dialect and slang folded to standard Mandarin (快第 → 快递, 咋 → 怎么)
    from chatbot.nlu.normalize import canonical as _fold
except ImportError:  # an older NLU without it: normalisation only
    def _fold(text: str) -> str:
        return normalize(text).lower()
from knowledge.synonyms import SYNONYM_GROUPS

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+")
# Function words that say nothing about the topic: no bigram made only of these is kept.
_STOP_CHARS = set("的了吗呢啊吧呀哦嘛么我你他她它们是在有和就都也还要会能可以"
                  "这那个一不请问么啥咋想下些哪问")
_STOP_BIGRAMS = {"怎么", "什么", "如何", "请问", "你们", "我们", "可以", "一下", "一个", "为什",
                 "么办", "怎样", "是不", "不是", "有没", "没有", "能不", "的话", "这个", "那个",
                 "么样", "多少", "时候", "问一", "想问", "知道", "需要", "告诉", "现在", "还是",
                 "就是", "帮我", "我的", "吗我", "么算", "咋办", "是否", "么回"}


@cache
def _words() -> dict[str, str]:
    words: dict[str, str] = {}
    for concept_words in lexicon.CONCEPTS.values():
        for word in concept_words:
            if _CJK.fullmatch(word) and len(word) >= 2:
                words.setdefault(word, word)
    for group in SYNONYM_GROUPS:
        for word in group:
            words[word.lower()] = group[0]
    return words


@cache
def _dictionary():
    """word → canonical token, in HanLP's trie (longest match)."""
    from hanlp_trie import Trie

    trie = Trie()
    for word, canonical in _words().items():
        trie[word] = canonical
    return trie


def canonical(word: str) -> str:
    """The synonym group's word for `word` (itself when it has none)."""
    clean = normalize(word).lower()
    return _words().get(clean, clean)


def _bigrams(run: str) -> list[str]:
    out = []
    if len(run) == 1:
        return [] if run in _STOP_CHARS else [run]
    for i in range(len(run) - 1):
        pair = run[i:i + 2]
        if pair in _STOP_BIGRAMS or (pair[0] in _STOP_CHARS and pair[1] in _STOP_CHARS):
            continue
        out.append(pair)
    return out


def tokens(text: str) -> list[str]:
    """Search tokens of `text`, in order, with repeats (term frequency matters)."""
    clean = _fold(text)
    out: list[str] = []
    for word in _WORD.findall(clean):
        out.append(canonical(word) if not word.isdigit() else word)
    for match in _CJK.finditer(clean):
        run = match.group()
        position = 0
        for begin, end, value in _dictionary().parse_longest(run):
            if begin > position:
                out.extend(_bigrams(run[position:begin]))
            out.append(value)
            position = end
        if position < len(run):
            out.extend(_bigrams(run[position:]))
        out.extend("~" + ch for ch in run if ch not in _STOP_CHARS)
    return out


def token_string(text: str) -> str:
    return " ".join(tokens(text))
