"""Reports: a sanctions dossier on an official, a victim's case file, any named query, as one
self-contained HTML page (printable to PDF from a browser) or Markdown.

Each report is built as a list of sections (title, columns, rows) plus a network picture
(inline SVG) and the full list of the sources it cites, so the HTML and Markdown say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..graph.errors import NotFound, UserError
from ..graph.model import load_model
from ..graph.records import where
from ..graph.scope import View
from ..queries.catalogue import Query, load_catalogue
from ..queries.citations import citer
from ..queries.entities import entity
from ..queries.output import cell
from ..queries.sources import source_records
from ..queries.tables import Plain
from .network import _environment, to_svg
from .views import ego_view, query_view


class ReportError(NotFound):
    """The report cannot be made (unknown id)."""


class WrongKind(UserError):
    """A dossier asked of an entity of another kind (an official's of a person who holds no post)."""


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    note: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    picture_svg: str
    sources: list[dict[str, Any]]
    # Every place cited, once, as a footnote: [{id, citation, cited: [footnote, ...]}].
    bibliography: list[dict[str, Any]] = field(default_factory=list)
    plain: Plain = field(default_factory=lambda: Plain(load_model()))
    drawn_on: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _rows(query: Query, view: View, params: dict[str, Any]) -> list[dict[str, Any]]:
    return query.run(view, params)


def _bibliography(view: View, sections: list[Section], extra: list[dict[str, Any]], data_folder: str | None) -> Any:
    """Every source the report cites, once, with each place it cites as a footnote."""
    refs = list(extra) + [ref for section in sections for row in section.rows for ref in row.get("sources") or []]
    return citer(view, data_folder).bibliography(refs)


def _cited(view: View, sections: list[Section], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every source cited in the report, in full, with the locators used."""
    locators: dict[str, set[str]] = {}
    refs = list(extra)
    for section in sections:
        for row in section.rows:
            refs.extend(row.get("sources") or [])
    for ref in refs:
        locators.setdefault(ref["source"], set()).add(where(ref))
    records = source_records(view)
    cited = []
    for source_id in sorted(locators):
        record = records.get(source_id, {"id": source_id})
        lines = sorted(
            (w for w in locators[source_id] if w), key=lambda w: int(w.split("-")[0]) if w[0].isdigit() else 0
        )
        cited.append({**record, "locators": lines})
    return cited


def _facts(found: dict[str, Any]) -> list[tuple[str, str]]:
    hidden = {"id", "name", "sources", "sensitivity", "confidence"}
    facts = [("labels", ", ".join(found["labels"]))]
    facts += [(k, cell(v)) for k, v in found["properties"].items() if k not in hidden and v not in (None, [], "")]
    facts.append(("sources", cell(found["sources"])))
    return facts


OFFICIAL_LABELS = ("Official",)


def official_report(view: View, official_id: str, data_folder: str | None = None) -> Report:
    found = entity(view, official_id)
    if found is None:
        raise ReportError(f"no entity with id {official_id!r}")
    is_official = any(label in found["labels"] for label in OFFICIAL_LABELS) or any(
        r["type"] == "HOLDS_POSITION" and r["direction"] == "out" for r in found["relations"]
    )
    if not is_official and found["labels"][0] != "Organization":
        name = found["properties"].get("name", official_id)
        kinds = ", ".join(found["labels"])
        raise WrongKind(
            f"{name} ({official_id}) is not an official ({kinds}; no post recorded): "
            f"`report person {official_id}` writes a case file"
        )
    catalogue = load_catalogue()
    name = found["properties"].get("name", official_id)
    positions = [r for r in found["relations"] if r["type"] == "HOLDS_POSITION" and r["direction"] == "out"]
    asked = {"id": official_id, "include_inferred": "true"}
    footprint = _rows(catalogue["official-footprint"], view, asked)
    inferred = [r for r in footprint if (r["attribution"] or "").startswith("inferred")]
    acts = [r for r in footprint if r["act"] != "holds position" and r not in inferred]
    institutions = [p["other_id"] for p in positions] or ([official_id] if found["labels"][0] == "Organization" else [])
    colleagues: list[dict[str, Any]] = []
    for institution in institutions:
        for row in _rows(catalogue["relations"], view, {"id": institution}):
            if row["type"] == "HOLDS_POSITION" and row["direction"] == "in" and row["other_id"] != official_id:
                colleagues.append({"institution": institution, **row})
    sections = [
        Section("Positions held", ["other", "detail", "date", "sources"], positions),
        Section(
            "Acts, in date order",
            ["date", "act", "subject", "actor", "place", "articles", "detail", "sources"],
            acts,
            note="Every act the cited texts attribute to this official (or this institution and its staff). "
            "An act that was authorised, ordered, threatened or attempted says so.",
        ),
        Section(
            "Acts attributed by inference (not counted above)",
            ["date", "act", "subject", "actor", "attribution", "sources"],
            inferred,
            note="The cited text does not name the agent of these acts; a curator inferred it, from what the "
            "attribution says. Check each against its source before relying on it.",
        ),
        Section("Colleagues in the same institutions", ["institution", "other", "detail", "sources"], colleagues),
    ]
    drawn = ego_view(view, official_id, 1, 300)
    return Report(
        title=f"Dossier: {name}",
        subtitle="Everything the data records about this official: posts, acts, colleagues, sources.",
        facts=_facts(found),
        sections=sections,
        picture_svg=to_svg(drawn) if drawn else "",
        sources=_cited(view, sections, found["sources"]),
        bibliography=_bibliography(view, sections, found["sources"], data_folder),
    )


def person_report(view: View, person_id: str, data_folder: str | None = None) -> Report:
    found = entity(view, person_id)
    if found is None:
        raise ReportError(f"no entity with id {person_id!r}")
    catalogue = load_catalogue()
    name = found["properties"].get("name", person_id)
    timeline = _rows(catalogue["timeline"], view, {"id": person_id})
    act_types = set(view.model.act_types())
    acts = [r for r in found["relations"] if r["direction"] == "out" and r["type"] in act_types]
    # Who did it, as the texts say: named agents; those a curator inferred apart; no one where
    # the text names no one (those acts are in the timeline).
    officials = [r for r in acts if r["attribution"] in ("stated", None)]
    inferred = [r for r in acts if (r["attribution"] or "").startswith("inferred")]
    ties = [r for r in found["relations"] if r["type"] in ("RELATED_TO", "ASSOCIATE_OF")]
    treatment: list[dict[str, Any]] = []
    for tie in ties:
        for row in _rows(catalogue["relations"], view, {"id": tie["other_id"]}):
            if row["direction"] == "out" and row["type"] in act_types:
                treatment.append({"relative": tie["other"], "tie": tie["detail"], **row})
    sections = [
        Section("Timeline", ["date", "fact", "subject", "object", "detail", "attribution", "sources"], timeline),
        Section(
            "Officials and institutions involved",
            ["type", "other", "date", "detail", "involvement", "sources"],
            officials,
            note="The agents the cited texts name.",
        ),
        Section(
            "Agents attributed by inference",
            ["type", "other", "date", "attribution", "sources"],
            inferred,
            note="The cited text does not name these agents; a curator inferred them, from what the attribution says.",
        ),
        Section("Relatives and associates", ["other", "type", "detail", "sources"], ties),
        Section(
            "What was done to them",
            ["relative", "tie", "type", "other", "date", "detail", "attribution", "involvement", "sources"],
            treatment,
        ),
    ]
    drawn = ego_view(view, person_id, 1, 300)
    return Report(
        title=f"Case file: {name}",
        subtitle="The acts against this person in date order, who was involved, and their family.",
        facts=_facts(found),
        sections=sections,
        picture_svg=to_svg(drawn) if drawn else "",
        sources=_cited(view, sections, found["sources"]),
        bibliography=_bibliography(view, sections, found["sources"], data_folder),
    )


def query_report(view: View, name: str, params: dict[str, Any], data_folder: str | None = None) -> Report:
    query = load_catalogue().get(name)
    if query is None:
        raise ReportError(f"no query named {name!r}")
    rows = query.run(view, params)
    section = Section(query.title, query.column_names, rows, note=query.reading)
    picture = to_svg(query_view(view, query, params)) if query.entity_columns and rows else ""
    given = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    return Report(
        title=query.title + (f" ({given})" if given else ""),
        subtitle=query.description,
        facts=[],
        sections=[section],
        picture_svg=picture,
        sources=_cited(view, [section], []),
        bibliography=_bibliography(view, [section], [], data_folder),
    )


def heading(column: str) -> str:
    """A dossier column's heading in words ('other' is the record at the other end of a fact)."""
    return HEADINGS.get(column, column.replace("_", " ").capitalize())


HEADINGS = {"other": "With", "type": "Fact", "subject": "To whom", "actor": "By", "object": "Object"}


def shown(report: Report, value: Any, column: str) -> str:
    """A dossier cell: evidence as 'source:line' (the bibliography cites each in full), other
    values in the words of the model."""
    return cell(value) if column == "sources" else report.plain(value)


def to_html(report: Report) -> str:
    return (
        _environment()
        .get_template("report.html")
        .render(report=report, heading=heading, shown=lambda value, column: shown(report, value, column))
    )


def to_markdown(report: Report) -> str:
    out = [f"# {report.title}", "", report.subtitle, "", f"_Drawn {report.drawn_on} from persecution-graph._", ""]
    if report.facts:
        out += ["| | |", "|---|---|"] + [f"| {k} | {_md(v)} |" for k, v in report.facts] + [""]
    for section in report.sections:
        out += [f"## {section.title}", ""]
        if section.note:
            out += [section.note, ""]
        if not section.rows:
            out += ["None recorded.", ""]
            continue
        out.append("| " + " | ".join(heading(c) for c in section.columns) + " |")
        out.append("|" + "---|" * len(section.columns))
        for row in section.rows:
            out.append("| " + " | ".join(_md(shown(report, row.get(c), c)) for c in section.columns) + " |")
        out.append("")
    out += ["## Bibliography", ""]
    for number, entry in enumerate(report.bibliography, start=1):
        out.append(f"{number}. {entry['citation']} ({entry['id']})")
        out += [f"   - {_md(footnote)}" for footnote in entry["cited"]]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
