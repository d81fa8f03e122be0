"""Text normalisation before anything else looks at a message.

NFKC folds full-width letters, digits and punctuation to half width (１３８ → 138, ＳＦ → SF);
OpenCC's t2s turns traditional characters into simplified ones (請問單號 → 请问单号), offline.
"""

import re
import unicodedata
from functools import cache

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u3000]+")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text)
    text = _converter().convert(text)
    return _SPACES.sub(" ", text).strip()
