"""Whether a quote names the kind of agent a stand-in stands for ("policemen" for a police
stand-in), so that a stated act on a stand-in rests on words of the text, not on a place.

A stand-in's naming words are the words of its name and aliases, without what names nothing
about an agent: bracketed curator remarks ("(not named)"), small words ("of", "the"), words
like "office" or "city", and names of places and persons ("Almaty" in "Police of Almaty":
an act in Almaty is not an act of the Almaty police). A quote names the agent when one of its
words is a naming word, up to plural and a few endings ("policemen" names "police",
"investigators" names "Investigating authorities").

>>> words = naming_words(["Police of Almaty"], excluded=frozenset({"almaty"}))
>>> sorted(words)
['police']
>>> names_agent(["policemen threatened Dilnar Insenova"], words)
True
>>> names_agent(["she was detained in Almaty"], words)
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .evidence import fold_text

# Words that name no kind of agent, whatever name they stand in.
SMALL_WORDS = frozenset(
    "a an the of in on at by for from to and or with without not no its their his her where was were who "
    "which that this named unnamed specified unspecified unknown agent case".split()
)
# Words that say where or what part, not who: "Prosecutor's Office", "the city's police".
GENERIC_WORDS = frozenset(
    "office department unit headquarters city town village capital region regional province district "
    "country national local".split()
)
# One of these endings is taken off a word of at least MIN_STEM letters more ("investigating",
# "investigation" and "investigators" all become "investigat").
ENDINGS = ("ing", "ion", "ive", "ors", "or", "ers", "er", "ed")
MIN_STEM = 5
# A quote word may extend a naming word of this many letters ("policemen" extends "police").
MIN_PREFIX = 4
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# A relative clause describes the stand-in ("Mental hospital where X was held"); it names nothing.
_CLAUSE = re.compile(r"\b(?:where|who|whose|which|that)\b.*", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of a text, folded like quotes (case, quote marks, dashes)."""
    return _WORD.findall(fold_text(text))


def stem(word: str) -> str:
    """A word without its plural and one common ending: enough to match "authority" with
    "authorities" or "prosecutor" with "prosecution", never "police" with "political"."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def proper_words(names: Iterable[str]) -> set[str]:
    """The stems of the proper names in these names of places or persons (never the name of
    an agent): every word of "Kordai District", only "Astana" of "Child pushed into a police
    bus in Astana" (a name with lowercase words is a description; its first word is kept)."""
    found: set[str] = set()
    for name in names:
        parts = name.split()
        described = any(part[:1].islower() for part in parts)
        for position, part in enumerate(parts):
            if part[:1].isupper() and not (described and position == 0):
                found.update(stem(word) for word in words(part))
    return found


def naming_words(names: Iterable[str], excluded: frozenset[str] | set[str]) -> set[str]:
    """The stems that name the kind of agent a stand-in with these names and aliases stands
    for; ``excluded`` holds the stems of place and person names (see ``entity_words``)."""
    found: set[str] = set()
    for name in names:
        for word in words(_CLAUSE.sub(" ", _BRACKETS.sub(" ", name))):
            if len(word) < 3 or word.isdigit() or word in SMALL_WORDS or word in GENERIC_WORDS:
                continue
            stemmed = stem(word)
            if stemmed not in excluded and not _extends_any(stemmed, excluded):
                found.add(stemmed)
    return found


def names_agent(quotes: Iterable[str], naming: set[str]) -> bool:
    """Whether a word of one of the quotes is one of the naming words (or extends one)."""
    quoted = {stem(word) for quote in quotes for word in words(quote)}
    return any(word in naming or _extends_any(word, naming) for word in quoted)


def _extends_any(word: str, stems: set[str] | frozenset[str]) -> bool:
    """Whether the word begins with one of the stems, of at least MIN_PREFIX letters
    ("kazakhstani" begins with the place "kazakhstan"; "policemen" with "police")."""
    return any(word[:size] in stems for size in range(MIN_PREFIX, len(word)))
