"""Transliteration-aware name keys: one key for the spellings of one name.

Kazakh and Russian names reach English in several spellings (Mendygazyev / Mendygaziyev,
Yerlan / Erlan, Zhanbolat / Janbolat). :func:`name_key` folds those variants together, so
the validator can spot two records for one person and search can find any spelling.

>>> name_key("Barlyk Mendygaziyev") == name_key("Mendygazyev Barlyk")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Applied in order to lower-case ASCII text.
_FOLDS = [
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("q", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("x", "ks"),
    ("ck", "k"),
    ("c", "k"),
    ("y", "i"),
]
# Applied after doubled letters are collapsed (so "iyev" -> "iiev" -> "iev" -> "ev").
_VOWEL_FOLDS = [("ie", "e"), ("ou", "u"), ("ea", "e")]
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "a",
            "g",
            "k",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ],
        strict=True,
    )
)


_TO_LATIN = str.maketrans(_CYRILLIC)
_DOUBLED = re.compile(r"(.)\1+")
_WORD = re.compile(r"[a-z0-9]+")


def _ascii(text: str) -> str:
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_TO_LATIN))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 16)
def fold_token(token: str) -> str:
    """Fold one word's spelling variants together (names share words: each is folded once)."""
    for old, new in _FOLDS:
        token = token.replace(old, new)
    token = _DOUBLED.sub(r"\1", token)
    for old, new in _VOWEL_FOLDS:
        token = token.replace(old, new)
    return token


def tokens(name: str) -> list[str]:
    """The folded words of a name, in order."""
    return [fold_token(t) for t in _WORD.findall(_ascii(name))]


def name_key(name: str) -> str:
    """One key per name, independent of spelling variants and word order."""
    return " ".join(sorted(tokens(name)))
