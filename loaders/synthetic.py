"""A synthetic corpus at any scale, in the seed format, for benchmarks.

Its shape follows the real data: persons are most of the entities; a few officials, courts
and police units act in a great many cases (perpetrators are drawn from a Zipf-like law, so
degrees are heavy-tailed); families tie relatives to targets; events gather hundreds of
detainees; charges point at a small set of articles; every record cites a line of one of the
synthetic reports written alongside. Names are made up (no real person is in this data).

Records are written as JSON-style flow mappings, which are YAML too, in files of
``PER_FILE`` records, so the reader works as it does on curated files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PER_FILE = 5000
REPORT_LINES = 2000
FIRST = ["Aigerim", "Bolat", "Dana", "Erlan", "Gulnara", "Marat", "Nurlan", "Saule", "Timur", "Zhanna", "Asel",
         "Daulet", "Kairat", "Madina", "Ruslan", "Yerbol", "Aliya", "Serik", "Ainur", "Askar"]  # fmt: skip
LAST = ["Abenov", "Bekova", "Dosanov", "Ermekova", "Ismailov", "Kasymova", "Nurpeisov", "Omarova", "Sadykov",
        "Tulegenova", "Utegenov", "Zhakupova", "Baimukhanov", "Seitkali", "Kuanysh"]  # fmt: skip
ORG_KINDS = ["Court", "Police", "ProsecutorOffice", "SecurityService", "DetentionFacility"]
ACTS = ["DETAINED_BY", "SENTENCED_BY", "THREATENED_BY", "SEARCHED_BY", "INTERROGATED_BY", "WARNED_BY",
        "PROSECUTED_BY", "ILL_TREATED_BY"]  # fmt: skip
SYLLABLES = ["ba", "di", "fo", "gu", "le", "mi", "no", "pu", "ra", "se", "ti", "vo"]
RELATIONS = ["brother", "sister", "mother", "father", "son", "daughter", "wife", "husband"]


def _zipf_index(rng: random.Random, size: int, skew: float = 1.2) -> int:
    """An index in [0, size) where small indexes are far more frequent (heavy tail)."""
    return min(size - 1, int(size * (rng.random() ** (skew * 3))))


def _word(number: int) -> str:
    """A made-up word that differs for every number, even after transliteration folding."""
    letters = []
    while True:
        number, digit = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
        if number == 0:
            return "".join(reversed(letters)).capitalize()


def generate(scale: int, seed: int = 1) -> Iterator[tuple[str, dict[str, Any]]]:
    """(section, record) pairs for a corpus of about `scale` entities and 3x as many edges."""
    rng = random.Random(seed)
    sources = max(1, scale // 20000)
    for s in range(sources):
        yield "sources", {"id": f"synth-report-{s}", "title": f"Synthetic report {s}", "publisher": "benchmark",
                          "date": "2021", "file": f"reports/synth-report-{s}.txt"}  # fmt: skip

    def ref() -> str:
        return f"synth-report-{rng.randrange(sources)}:{rng.randrange(1, REPORT_LINES + 1)}"

    places = max(5, scale // 500)
    articles = 60
    orgs = max(10, scale // 10)
    events = max(5, scale // 20)
    officials = max(10, scale // 20)
    persons = max(10, scale - places - articles - orgs - events)
    for i in range(places):
        yield "places", {"id": f"place-{i}", "name": f"Town {i}", "kind": "city", "sources": [ref()]}
    for i in range(articles):
        yield "articles", {"id": f"art-{i}", "code": "Criminal Code", "article": str(100 + i), "part": "1",
                           "title": f"offence {i}", "sources": [ref()]}  # fmt: skip
    for i in range(orgs):
        kind = ORG_KINDS[i % len(ORG_KINDS)] if i < orgs // 2 else "Movement" if i % 7 == 0 else "NGO"
        yield "organizations", {"id": f"org-{i}", "name": f"{kind} unit {i}", "kind": kind,
                                "place": f"place-{rng.randrange(places)}", "sources": [ref()]}  # fmt: skip
    for i in range(events):
        yield "events", {"id": f"event-{i}", "name": f"Rally {i}", "kind": "rally",
                         "date": f"20{18 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                         "place": f"place-{rng.randrange(places)}", "sources": [ref()]}  # fmt: skip
    for i in range(persons):
        roles = ["Official"] if i < officials else ["Activist"] if i % 3 else ["Relative"]
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {_word(i)}"
        yield "persons", {"id": f"person-{i}", "name": name, "roles": roles, "sources": [ref()]}
    victims = persons - officials
    edge_count = 3 * scale
    for i in range(edge_count):
        victim = f"person-{officials + rng.randrange(victims)}"
        choice = i % 10
        if choice < 6:
            act = ACTS[i % len(ACTS)]
            if rng.random() < 0.5:
                agent = f"person-{_zipf_index(rng, officials)}"
            else:
                agent = f"org-{_zipf_index(rng, orgs // 2)}"
            edge: dict[str, Any] = {"type": act, "from": victim, "to": agent,
                                    "date": f"20{18 + i % 4}-{1 + i % 12:02d}", "sources": [ref()]}  # fmt: skip
            if act == "SENTENCED_BY":
                edge["sentence_type"] = "imprisonment" if i % 3 else "restriction_of_liberty"
                edge["term"] = f"{1 + i % 7} years"
                edge["article"] = [f"art-{_zipf_index(rng, articles)}"]
        elif choice == 6:
            edge = {"type": "CHARGED_UNDER", "from": victim, "to": f"art-{_zipf_index(rng, articles)}",
                    "case": f"case-{i // 30}", "sources": [ref()]}  # fmt: skip
        elif choice == 7:
            edge = {"type": "RELATED_TO", "from": victim, "to": f"person-{officials + rng.randrange(victims)}",
                    "relation": RELATIONS[i % len(RELATIONS)], "sources": [ref()]}  # fmt: skip
        elif choice == 8:
            edge = {"type": "PARTICIPATED_IN", "from": victim, "to": f"event-{_zipf_index(rng, events, 0.8)}",
                    "sources": [ref()]}  # fmt: skip
        else:
            edge = {"type": "MEMBER_OF", "from": victim, "to": f"org-{orgs // 2 + rng.randrange(orgs - orgs // 2)}",
                    "sources": [ref()]}  # fmt: skip
        if edge["from"] == edge["to"]:
            continue
        yield "edges", edge


def write_corpus(folder: Path, scale: int, seed: int = 1) -> int:
    """Write the corpus into `folder` (YAML files and reports/); returns the number of records."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reports").mkdir(exist_ok=True)
    count = 0
    handle = None
    section_open = None
    file_index = 0
    in_file = 0
    for section, record in generate(scale, seed):
        if section == "sources":
            text = "".join(f"Line {n} of a synthetic report.\n" for n in range(1, REPORT_LINES + 1))
            (folder / record["file"]).write_text(text, encoding="utf-8")
        if handle is None or in_file >= PER_FILE:
            if handle is not None:
                handle.close()
            handle = (folder / f"synth_{file_index:05d}.yaml").open("w", encoding="utf-8")
            file_index += 1
            in_file = 0
            section_open = None
        if section != section_open:
            handle.write(f"{section}:\n")
            section_open = section
        handle.write("  - " + json.dumps(record, ensure_ascii=False) + "\n")
        in_file += 1
        count += 1
    if handle is not None:
        handle.close()
    return count
