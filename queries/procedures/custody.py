"""Who is in custody on a date: the political-prisoners query."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import Rows, cached, names_of, procedure

# -- custody on a date ---------------------------------------------------------------------

CUSTODY_SENTENCES = {
    "imprisonment": "imprisonment",
    "compulsory_psychiatric_treatment": "psychiatric detention",
}
FREEING_SENTENCES = {"restriction_of_liberty", "suspended_sentence", "fine", "acquittal", "parole_granted"}
CUSTODY_DETENTIONS = {
    "pre_trial_detention": "pre-trial detention",
    "psychiatric_detention": "psychiatric detention",
    "psychiatric": "psychiatric detention",
}
FREEING_DETENTIONS = {"house_arrest", "release", "released"}
# A status-list entry's status: in custody, free, or (prosecuted, other) no change of place.
LISTED_STATUSES = {
    "prison": "custody:prison",
    "pre_trial_detention": "custody:pre-trial detention",
    "psychiatric_detention": "custody:psychiatric detention",
    "house_arrest": "free",
    "restriction_of_liberty": "free",
    "released": "free",
}
CUSTODY_WORDS = re.compile(r"prison|detention|custody|psychiatric|imprison", re.IGNORECASE)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "a": 1, "an": 1, "half": 0.5,
}  # fmt: skip
UNIT_DAYS = {"year": 365.25, "month": 30.44, "week": 7.0, "day": 1.0}
TERM_PART = re.compile(r"(\d+(?:[.,]\d+)?|[a-z]+)[\s-]+(year|month|week|day)s?", re.IGNORECASE)


def term_days(term: str | None) -> float | None:
    """The length of a term as quoted ("five years", "3.5 years", "2 years and 6 months") in days."""
    if not term:
        return None
    total = 0.0
    for amount, unit in TERM_PART.findall(term):
        number = NUMBER_WORDS.get(amount.lower())
        if number is None:
            try:
                number = float(amount.replace(",", "."))
            except ValueError:
                continue
        total += number * UNIT_DAYS[unit.lower()]
    return total or None


def _custody_state(row: dict[str, Any]) -> str | None:
    """'custody:<status>', 'free', or None when the act does not change where a person is."""
    if row["type"] == "SENTENCED_BY":
        if row["sentence_type"] in CUSTODY_SENTENCES:
            return "custody:" + CUSTODY_SENTENCES[row["sentence_type"]]
        return "free" if row["sentence_type"] in FREEING_SENTENCES else None
    if row["type"] == "DETAINED_BY":
        kind = (row["kind"] or "").lower()
        if kind in CUSTODY_DETENTIONS:
            return "custody:" + CUSTODY_DETENTIONS[kind]
        return "free" if kind in FREEING_DETENTIONS else None
    if row["type"] == "RELEASED_BY":
        return "free"
    if row["type"] == "HELD_IN":
        return "custody:held in " + row["other"]
    if row["type"] == "LISTED_IN":
        if row["status"]:  # a stated status decides; the category's words only when none is stated
            return LISTED_STATUSES.get(row["status"])
        return "custody:" + row["category"] if CUSTODY_WORDS.search(row["category"] or "") else None
    return None


def _ends_before(row: dict[str, Any], as_of: str) -> bool:
    """Whether a custody act's stated range or term ran out before the date."""
    # Only a stated range ("2021-06/2021-09") ends custody; "2021-06" is a month, not a range.
    if row["date"] and "/" in str(row["date"]) and row["date_to"] and row["date_to"] < as_of:
        return True
    days = term_days(row["term"] or row["duration"])
    if days is None:
        return False
    start = dt.date.fromisoformat(row["date_from"])
    return (start + dt.timedelta(days=days)).isoformat() < as_of


CUSTODY_CYPHER = f"""
MATCH (p:Person)-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN ['SENTENCED_BY', 'DETAINED_BY', 'HELD_IN', 'LISTED_IN', 'RELEASED_BY']
  AND coalesce(a.date_from, x.date_from) IS NOT NULL
  AND coalesce(a.involvement, 'carried_out') = 'carried_out'
  AND VISIBLE(a)
RETURN collect({{
  person_id: p.id, person: p.name, type: type(a), kind: a.kind, sentence_type: a.sentence_type,
  term: a.term, duration: a.duration, date: coalesce(a.date, x.date),
  date_from: coalesce(a.date_from, x.date_from), date_to: coalesce(a.date_to, x.date_to),
  category: a.category, status: a.status, other: x.name, other_labels: labels(x),
  articles: a.article, sources: a.sources, act_id: a.id
}}) AS rows
"""


def _custody(view: View) -> list[dict[str, Any]]:
    """Every dated custody act, with the names of the articles it cites (those the view sees)."""
    names = names_of(view, "LegalArticle")  # put in place of the ids (a match per act scanned them all)
    acts = view.read_whole_table(CUSTODY_CYPHER)
    for act in acts:
        act["articles"] = [names[article] for article in act["articles"] or () if article in names]
    return acts


def _deciding(changing: list[tuple[dict[str, Any], str]]) -> tuple[dict[str, Any], str]:
    """The act that decides where a person is: the last one; but listings of one day that
    contradict each other (one list says pre-trial detention, another restriction of liberty)
    do not overturn the record: the one that agrees with the state before that day decides."""
    last_day = changing[-1][0]["date_from"]
    that_day = [(act, state) for act, state in changing if act["date_from"] == last_day]
    states = {state for _, state in that_day}
    before = [state for act, state in changing if act["date_from"] < last_day]
    if len(states) > 1 and all(act["type"] == "LISTED_IN" for act, _ in that_day) and before and before[-1] in states:
        return next((act, state) for act, state in reversed(that_day) if state == before[-1])
    return changing[-1]


def _custody_start(changing: list[tuple[dict[str, Any], str]]) -> str | None:
    """The date the texts give for the start of the custody a person is in: the earliest dated
    act of the unbroken run of custody acts at the end (a release, a freeing sentence, or a term
    that ran out before the next act breaks it) that is not a status list (a list's date says
    when it was drawn up, not when custody began); None when only lists say so."""
    start = None
    later_from = None
    for act, state in reversed(changing):
        if state == "free" or (later_from is not None and _ends_before(act, later_from)):
            break
        later_from = act["date_from"]
        if act["type"] != "LISTED_IN":
            start = act["date"]
    return start


@procedure("political_prisoners")
def political_prisoners(view: View, params: dict[str, Any]) -> Rows:
    """People in custody on a date: the latest act on or before it that puts a person in or
    out of custody decides; a sentence's term or a stated range ends it."""
    as_of = params["as_of"]
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # Every dated custody act, read once per load (in one record: View.read_table); the date is
    # applied here, so any date asked for afterwards costs no scan of the graph.
    custody = cached(view, "custody", lambda: view.in_one_generation(lambda: _custody(view)))
    for row in custody:
        if row["date_from"] <= as_of:
            by_person[row["person_id"]].append(row)
    result = []
    for acts in by_person.values():
        # On one day, a listing goes before an act (the act decides), and a listing with a stated
        # status after one whose status comes from its category's words (the stated one decides);
        # the act's id orders the rest, so the answer does not depend on the engine's row order.
        acts.sort(key=lambda r: (r["date_from"], r["type"] != "LISTED_IN", bool(r["status"]), r["act_id"] or ""))
        changing = [(act, state) for act in acts if (state := _custody_state(act))]
        if not changing:
            continue
        last, state = _deciding(changing)
        if state == "free" or _ends_before(last, as_of):
            continue
        categories = sorted({a["category"] for a in acts if a["type"] == "LISTED_IN" and a["category"]})
        sentences = [a for a in acts if a["type"] == "SENTENCED_BY"]
        latest_sentence = sentences[-1] if sentences else None
        articles = sorted({name for a in acts for name in a["articles"]})
        result.append(
            {
                "person_id": last["person_id"],
                "person": last["person"],
                "status": state.removeprefix("custody:"),
                "since": _custody_start(changing),
                "category": categories,
                "articles": articles,
                "court": latest_sentence["other"] if latest_sentence else None,
                "term": latest_sentence["term"] if latest_sentence else None,
                "sources": [ref for a in acts for ref in (a["sources"] or [])],
            }
        )
    result.sort(key=lambda r: (r["person"], r["person_id"]))
    return result
