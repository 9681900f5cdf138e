"""Validate a folder of curated YAML and hand its nodes and edges to a sink as they are read.

Every problem is reported with its ``file:line:col``; one mistake never hides another. The
sink is a :class:`Dataset` being collected (``validate``) or a graph writer (``load``), which
writes a new graph as records come and makes it current only if nothing was wrong
(graph/writer.py), so validation and writing overlap and a large corpus is never held whole:
what stays in memory is the nodes (a later file may tell one again, and names must not
collide), the ids of the edges (one fact told twice is one edge) and the edges that name a
node not read yet. Each file is read (loaders/reader.py: YAML composed, values converted) apart
from the checks that need other files; a large corpus is read by worker processes while this
one checks the files before, in order, so the answer is the same however it was read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.dates import DateValue
from ..graph.model import Model, Property, ids_of, load_model
from ..graph.names import name_key
from ..graph.records import Dataset, Edge, Node, Sink, paused_gc, tell_again
from ..graph.writer import RESTRICTED
from .agents import excludable, names_agent, naming_words, proper_words
from .evidence import EvidenceChecker
from .fields import SourceRef, collect, suggest
from .reader import CARRIED_OUT, FileRead, RawRecord, edge_id, files_bytes, read_files, readers_for, show
from .yamlfile import Problem, Where

# The kind label of the model's perpetrator-not-stated node (graph/model.yaml, builtin_nodes).
NOT_STATED_KIND = "NotStated"
# Where the model's own nodes are said to come from in messages.
MODEL_WHERE = Where("graph/model.yaml", 1, 1)
_SCALARS = {str, int, bool, DateValue}


@dataclass
class ValidationResult:
    """What a validation found: every problem, how many nodes and edges, and the dataset
    when one was collected (``validate``; a ``load`` writes the records instead)."""

    dataset: Dataset
    problems: list[Problem]
    files: list[str] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def yaml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def corpus_bytes(path: Path) -> int:
    """The size of the curated YAML at ``path`` (a load's progress, and its size estimate)."""
    return files_bytes(yaml_files(path))


class Validator:
    """Reads files record by record, checks each as far as what was read allows, hands it to
    the sink, and checks the whole at the end.

    ``keep_going``: hand the sink every record even after a problem (a dataset collected for
    inspection); otherwise the sink gets nothing more once something is wrong (a load that
    will be abandoned), while validation goes on to report every problem.
    """

    def __init__(self, root: Path, model: Model, sink: Sink, keep_going: bool = True) -> None:
        self.root = root if root.is_dir() else root.parent
        self.model = model
        self.sink = sink
        self.keep_going = keep_going
        self.problems: list[Problem] = []
        self.nodes: dict[str, RawRecord] = {}  # by id, merged
        self.edge_ids: set[str] = set()
        self.edge_counts: dict[str, int] = defaultdict(int)
        self.waiting: list[RawRecord] = []  # edges naming a node not read yet
        self.evidence = EvidenceChecker(self.root, self.problems)
        self.assertions: list[tuple[str, int, Where]] = []
        # Organisations checked as the named agent of an act (a later `unnamed: true` is late).
        self.named_agents: set[str] = set()
        # Stated acts on stand-ins, whose quotes are checked once every place and person is read.
        self.stated_on_stand_ins: list[tuple[Where, str, list[str]]] = []
        # Each person's first entry on each list (LISTED_IN), and entries that add a second status.
        self.listings: dict[tuple[str, str], tuple[str, Where]] = {}
        self.second_listings: list[tuple[Where, str, str, str, str]] = []
        # References made by records public readers may see: (where, property, the record named,
        # the records whose restriction hides the referrer), decided once every file is merged.
        self.public_refs: list[tuple[Where, str, str, tuple[str, ...]]] = []
        # Each type's reference properties (`ref`, `refs`), worked out once: every record is
        # checked for them (at 100k entities, 415k records asked each type's every property).
        self.node_refs = {name: _references(t.properties) for name, t in model.nodes.items()}
        self.edge_refs = {name: _references(t.properties) for name, t in model.edges.items()}

    @property
    def handing_on(self) -> bool:
        return self.keep_going or not self.problems

    def problem(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where, message))

    # -- taking what was read ---------------------------------------------------------------

    def take(self, read: FileRead) -> None:
        """One file's records, checked and handed on in the order written, after its problems."""
        self.problems += read.problems
        self.assertions += read.assertions
        for record in read.records:
            if record.target:
                self.accept_edge(record)
            else:
                self.accept_node(record)

    # -- checking record by record ----------------------------------------------------------

    def accept_node(self, record: RawRecord) -> None:
        """A new node, or one told again by another file (merged into the first)."""
        if record.type == "Source":
            self.evidence.add_source(record)
        self.check_evidence(record)
        first = self.nodes.get(record.id)
        if first is not None and first.where == MODEL_WHERE:
            self.problem(
                record.where,
                f"{record.id!r} is provided by the model (graph/model.yaml, builtin_nodes): do not define it; "
                "point acts whose text names no agent at it",
            )
            return
        if _is_not_stated(record):
            self.problem(
                record.prop_where.get("kind", record.where),
                f"kind {NOT_STATED_KIND!r} is kept for the model's 'perpetrator-not-stated': point acts whose "
                "text names no agent at it instead of defining another",
            )
        if first is None:
            self.nodes[record.id] = record
            if self.handing_on:
                self.sink.node(self.to_node(record))
        elif (
            first.type != record.type
            or first.where.file == record.where.file
            or (self.names_of(first) and self.names_of(record) and not self.names_of(first) & self.names_of(record))
        ):
            self.problem(
                record.where,
                f"duplicate id {record.id!r}: already a {first.type} "
                f"at {first.where}"
                + (
                    ""
                    if first.type != record.type or first.where.file == record.where.file
                    else " with no name or alias in common"
                ),
            )
        else:
            self.merge_into(first, record)
            if self.handing_on:
                self.sink.retell(self.to_node(first))

    def accept_edge(self, record: RawRecord) -> None:
        """An edge: handed on at once if the nodes it names were read, else when all are."""
        self.check_evidence(record)
        if all(ref in self.nodes for ref in self.refs_of(record)):
            self.check_edge(record)
            self.hand_on_edge(record)
        else:
            self.waiting.append(record)

    def hand_on_edge(self, record: RawRecord) -> None:
        """The first record of a fact becomes an edge; the same fact told again adds evidence."""
        if record.id in self.edge_ids:
            if self.handing_on:
                self.sink.edge_again(self.to_edge(record))
            return
        self.edge_ids.add(record.id)
        self.edge_counts[record.type] += 1
        if record.type == "LISTED_IN":
            self.note_listing(record)
        if self.handing_on:
            self.sink.edge(self.to_edge(record))

    def note_listing(self, record: RawRecord) -> None:
        """A person's entry on a list; a second one with another status waits for the end,
        when the discrepancies that may record both are known."""
        status = record.props.get("status")
        if status is None:  # a category alone: a person may be in several sections of one list
            return
        first = self.listings.setdefault((record.source, record.target), (status, record.where))
        if first[0] != status:
            self.second_listings.append((record.where, record.source, record.target, status, first[0]))

    def refs_of(self, record: RawRecord) -> list[str]:
        """The ids an edge names: its ends and its reference properties."""
        refs = [record.source, record.target]
        for key, prop in self.edge_refs[record.type]:
            if key in record.props:
                refs += record.props[key] if prop.type == "refs" else [record.props[key]]
        return refs

    def names_of(self, record: RawRecord) -> set[str]:
        names = [record.props.get("name", "")] + list(record.props.get("aliases", []))
        return {name_key(n) for n in names if n}

    def merge_into(self, first: RawRecord, other: RawRecord) -> None:
        """Unite a record told again by another file: lists and texts joined, scalars must agree."""
        props = self.model.nodes[first.type].properties
        for key, value in other.props.items():
            prop = props[key]
            if key == "unnamed" and value and not first.props.get(key) and first.id in self.named_agents:
                self.problem(
                    other.prop_where[key],
                    f"{first.id!r} is marked 'unnamed' here but not at {first.where}, and acts read in between "
                    "were checked as acts of a named agent: mark it 'unnamed: true' in every record of it",
                )
            if key not in first.props:
                first.props[key] = value
                first.prop_where[key] = other.prop_where[key]
            elif prop.is_list:
                first.props[key] = _unite(first.props[key], value)
            elif key == "name" and value != first.props[key]:
                first.props["aliases"] = _unite(first.props.get("aliases", []), [value])
            elif prop.type == "text" and value != first.props[key]:
                first.props[key] = f"{first.props[key]}\n\n{value}"
            elif value != first.props[key]:
                self.problem(
                    other.prop_where[key],
                    f"conflicting {key!r}: {show(value)} here, "
                    f"{show(first.props[key])} at {first.prop_where[key]}; record both "
                    "in a discrepancy and keep one",
                )

    def check_ref(self, ref: str, allowed: tuple[str, ...], where: Where, what: str) -> None:
        target = self.nodes.get(ref)
        if target is None:
            self.problem(where, f"{what}: no record with id {ref!r}{suggest(ref, tuple(self.nodes))}")
        elif target.type not in allowed:
            self.problem(where, f"{what}: {ref!r} is a {target.type}; expected {' or '.join(allowed)}")

    def check_edge(self, record: RawRecord) -> None:
        edge_type = self.model.edges[record.type]
        where_from = record.prop_where.get("from", record.where)
        self.check_ref(record.source, edge_type.sources, where_from, f"{record.type} 'from'")
        self.check_ref(
            record.target, edge_type.targets, record.prop_where.get("to", record.where), f"{record.type} 'to'"
        )
        self.check_ref_props(record, self.edge_refs[record.type])
        if not all(end in self.nodes for end in (record.source, record.target)):
            return
        self.check_not_stated_ends(record)
        if edge_type.category == "act":
            self.check_attribution(record)
        elif record.type == "POSSIBLY_SAME_AS":
            self.check_possibly_same(record)

    def check_not_stated_ends(self, record: RawRecord) -> None:
        """perpetrator-not-stated stands only where an act's agent would."""
        agent = self.model.edges[record.type].agent
        for end, node_id in (("from", record.source), ("to", record.target)):
            if end != agent and _is_not_stated(self.nodes[node_id]):
                allowed = f"a {record.type} edge names no agent"
                if agent:
                    allowed = f"the '{agent}' of a {record.type} edge, not its '{end}'"
                self.problem(
                    record.prop_where.get(end, record.where),
                    f"{node_id!r} stands for the agent a text does not name: only an act's agent may point at "
                    f"it; {allowed}",
                )

    def check_attribution(self, record: RawRecord) -> None:
        """An act says no more about who did it than its text: see `attribution` in model.yaml."""
        agent_end = self.model.edges[record.type].agent
        where = record.prop_where.get("attribution", record.prop_where.get(agent_end or "to", record.where))
        attribution = record.props.get("attribution")
        if agent_end is None:
            if attribution is not None or "attribution_note" in record.props:
                self.problem(
                    where,
                    f"a {record.type} edge names no agent (its 'to' is not who did it): "
                    "leave out 'attribution' and 'attribution_note'",
                )
            return
        agent = self.nodes[record.target if agent_end == "to" else record.source]
        stand_in = bool(agent.props.get("unnamed"))
        if _is_not_stated(agent):
            if attribution not in (None, "not_stated"):
                self.problem(
                    where,
                    f"an act on {agent.id!r} has attribution 'not_stated' (the default there), not "
                    f"{attribution!r}: point '{agent_end}' at the agent the text names or the note infers",
                )
        elif attribution == "not_stated":
            self.problem(where, "attribution 'not_stated': point the act at 'perpetrator-not-stated' instead")
        elif stand_in and attribution is None:
            self.problem(
                where,
                f"{agent.id!r} stands in for an agent the text does not name: say 'attribution: stated' (with "
                "a quote naming it, e.g. 'the police') or 'attribution: inferred' (with attribution_note), "
                "or point the act at 'perpetrator-not-stated'",
            )
        elif stand_in and attribution == "stated":
            quotes = [ref.quote for ref in _quoted_refs(record) if ref.quote]
            self.stated_on_stand_ins.append((where, agent.id, quotes))
        elif attribution is None and "attribution_note" in record.props:
            self.problem(
                record.prop_where["attribution_note"],
                "an 'attribution_note' without 'attribution': say 'attribution: inferred' if the agent is "
                "inferred (the act would otherwise count as stated), or leave out the note",
            )
        if attribution == "inferred" and not record.props.get("attribution_note"):
            self.problem(where, "attribution 'inferred' needs an 'attribution_note' saying what it is inferred from")
        if not stand_in and agent.type == "Organization":
            self.named_agents.add(agent.id)

    def check_possibly_same(self, record: RawRecord) -> None:
        """Two records of one type that are not one."""
        first, second = self.nodes[record.source], self.nodes[record.target]
        where = record.prop_where.get("to", record.where)
        if record.source == record.target:
            self.problem(where, f"POSSIBLY_SAME_AS links {record.source!r} to itself")
        elif first.type != second.type:
            self.problem(
                where,
                f"POSSIBLY_SAME_AS links the {first.type} {first.id!r} to the {second.type} {second.id!r}: "
                "only two records of one type may be one",
            )

    def check_ref_props(self, record: RawRecord, references: list[tuple[str, Property]]) -> None:
        """Its reference properties (``references``: its type's) name records that exist, of a
        type they may name; those public readers see are noted for check_public_refs."""
        for key, prop in references:
            if key not in record.props:
                continue
            refs = ids_of(record.props[key])
            if not prop.edge:  # one that draws an edge is checked as that edge
                for ref in refs:
                    self.check_ref(ref, prop.to, record.prop_where[key], repr(key))
            if record.props.get("sensitivity") != RESTRICTED:
                # An edge is hidden with either end (graph/writer.py), a node by itself.
                holders = (record.source, record.target) if record.source else (record.id,)
                self.public_refs.extend((record.prop_where[key], key, ref, holders) for ref in refs)

    def check_public_refs(self) -> None:
        """A record public readers may see names no restricted record: the property keeps the
        record's id (a slug of its name), which would reach them in every answer and export."""
        for where, key, ref, holders in self.public_refs:
            named = self.nodes.get(ref)
            if named is None or named.props.get("sensitivity") != RESTRICTED:
                continue
            if any(self.nodes[h].props.get("sensitivity") == RESTRICTED for h in holders if h in self.nodes):
                continue
            self.problem(
                where,
                f"{key!r}: {ref!r} is restricted and this record is not: public readers would see its id; "
                "mark this record 'sensitivity: restricted' too",
            )

    def check_evidence(self, record: RawRecord) -> None:
        for ref in record.props.get("sources", []):
            self.evidence.check(ref)
        for claim in record.props.get("claims", []):
            for ref in claim["sources"]:
                self.evidence.check(ref)

    # -- checking the whole ------------------------------------------------------------------

    def add_builtin_nodes(self) -> None:
        """The nodes the model provides (perpetrator-not-stated): no source, they state nothing."""
        for type_name, props in self.model.builtin_nodes:
            record = RawRecord(type_name, MODEL_WHERE, dict(props), {}, props["id"])
            del record.props["id"]
            self.nodes[record.id] = record
            if self.handing_on:
                self.sink.node(self.to_node(record))

    def run(
        self, path: Path, progress: Callable[[int], None] | None = None, readers: int | None = None
    ) -> ValidationResult:
        """Read every file (``progress`` gets the size of each once read), then check the whole.

        ``readers``: how many worker processes read the files (loaders/reader.py; 0: this one);
        by default one per core for a large corpus, none for a small one."""
        self.add_builtin_nodes()
        files = yaml_files(path)
        if not files:
            self.problem(Where(str(path), 1, 1), "no .yaml files found")
        if readers is None:
            readers = readers_for(files)
        for file, read in zip(files, read_files(self.model, files, readers), strict=True):
            self.take(read)
            if progress is not None:
                progress(file.stat().st_size)
        waiting, self.waiting = self.waiting, []
        for record in waiting:  # every node is known now
            self.check_edge(record)
            self.hand_on_edge(record)
        for record in self.nodes.values():
            self.check_ref_props(record, self.node_refs[record.type])
        self.add_ref_edges()
        self.check_public_refs()
        self.evidence.finish()
        self.check_name_collisions()
        self.check_stated_quotes()
        self.check_second_listings()
        self.check_assertions()
        # A node's evidence also stands on the edges its references draw: report it once.
        self.problems = sorted(set(self.problems), key=lambda p: (p.where.file, p.where.line, p.where.col, p.message))
        dataset = self.sink if isinstance(self.sink, Dataset) else Dataset()
        return ValidationResult(
            dataset, self.problems, [str(f) for f in files], nodes=len(self.nodes), edges=len(self.edge_ids)
        )

    def add_ref_edges(self) -> None:
        """Reference properties that declare an edge (place -> LOCATED_IN) draw that edge."""
        for record in self.nodes.values():
            for key, prop in self.model.nodes[record.type].properties.items():
                if not prop.edge or key not in record.props:
                    continue
                targets = record.props[key] if prop.is_list else [record.props[key]]
                for target in targets:
                    edge_props: dict[str, Any] = {
                        k: record.props[k] for k in ("sources", "sensitivity") if k in record.props
                    }
                    edge = RawRecord(
                        prop.edge,
                        record.prop_where[key],
                        edge_props,
                        {"to": record.prop_where[key]},
                        "",
                        record.id,
                        target,
                    )
                    edge.id = edge_id(edge)
                    self.check_edge(edge)
                    self.hand_on_edge(edge)

    def check_stated_quotes(self) -> None:
        """A stated act on a stand-in quotes the words of the text that name the agent: a word of
        the stand-in's name or aliases, places and persons left out (loaders/agents.py)."""
        if not self.stated_on_stand_ins:
            return
        stand_ins = {agent_id for _, agent_id, _ in self.stated_on_stand_ins}
        candidates = naming_words([name for agent_id in stand_ins for name in _names(self.nodes[agent_id])], set())
        excluded = proper_words(
            (name for record in self.nodes.values() if record.type in ("Place", "Person") for name in _names(record)),
            among=excludable(candidates),
        )
        for where, agent_id, quotes in self.stated_on_stand_ins:
            stand_in = self.nodes[agent_id]
            naming = naming_words(_names(stand_in), excluded, stand_in.props.get("aliases", ()))
            if not quotes:
                self.problem(
                    where,
                    f"a stated act on the stand-in {agent_id!r} needs a quote with the words of the text that "
                    "name the agent ('policemen threatened ...', 'by the court')",
                )
            elif not naming:
                self.problem(
                    where,
                    f"the stand-in {agent_id!r} has no word in its name or aliases that names a kind of agent "
                    "(places and persons do not): add the text's wording as an alias, e.g. 'the police'",
                )
            elif not names_agent(quotes, naming):
                words = ", ".join(repr(word) for word in sorted(naming))
                self.problem(
                    where,
                    f"no quote of this stated act names the agent: none has a word of the stand-in "
                    f"{agent_id!r} ({words}); quote the words of the text that name it (if the text names "
                    "it otherwise, add them to its aliases), or say 'attribution: inferred', or point the act "
                    "at 'perpetrator-not-stated'",
                )

    def check_second_listings(self) -> None:
        """One person, one status on one list; two only with a discrepancy about the person."""
        if not self.second_listings:
            return
        discrepancies = [record for record in self.nodes.values() if record.type == "Discrepancy"]
        about = {ref for record in discrepancies for ref in record.props.get("about", ())}
        for where, person, listing, status, first in self.second_listings:
            if person not in about:
                self.problem(
                    where,
                    f"{person!r} has a second status on the list {listing!r} ({status!r}; {first!r} before): "
                    "one person, one status on one list; if the text gives two, record both in a discrepancies "
                    f"entry about {person!r}",
                )

    def check_name_collisions(self) -> None:
        seen: dict[str, RawRecord] = {}
        persons = [r for r in self.nodes.values() if r.type == "Person"]
        for record in persons:
            for key in sorted(self.names_of(record)):
                other = seen.setdefault(key, record)
                if (
                    other is record
                    or other.id in record.props.get("distinct_from", [])
                    or record.id in other.props.get("distinct_from", [])
                ):
                    continue
                self.problem(
                    record.where,
                    f"persons {other.id!r} and {record.id!r} have colliding "
                    f"names ({key!r}); if they are one person, use one id; if not, add "
                    f"distinct_from: [{other.id}]",
                )
                break

    def check_assertions(self) -> None:
        counts: dict[str, int] = defaultdict(int, self.edge_counts)
        for record in self.nodes.values():
            for label in self.labels_of(record):
                counts[label] += 1
        known = self.model.all_labels() | set(self.model.edges)
        for name, minimum, where in self.assertions:
            if name not in known:
                self.problem(where, f"assertions: unknown type {name!r}{suggest(name, tuple(known))}")
            elif counts[name] < minimum:
                self.problem(where, f"assertion failed: at least {minimum} {name} expected, " f"found {counts[name]}")

    # -- output ------------------------------------------------------------------------------

    def common_props(self, record: RawRecord) -> dict[str, Any]:
        props = dict(self.model.defaults)
        for key, value in record.props.items():
            if key == "sources":
                props[key] = [ref.as_dict() for ref in value]
            else:
                props[key] = value if type(value) in _SCALARS else _plain(value)
        if "sources" not in record.props:
            props["sources"] = []
        return props

    def labels_of(self, record: RawRecord) -> list[str]:
        """Its type, then its roles or kinds (each a label too)."""
        labels = [record.type]
        role_property = self.model.nodes[record.type].role_property
        if role_property:
            labels += [r for r in record.props.get(role_property, []) if r not in labels]
        return labels

    def to_node(self, record: RawRecord) -> Node:
        node_type = self.model.nodes[record.type]
        props = self.common_props(record)
        props["id"] = record.id
        if node_type.self_sourced and not props["sources"]:
            props["sources"] = [{"source": record.id, "page": "whole document"}]
        if "name" not in props:
            props["name"] = _derived_name(record)
        return Node(record.id, record.type, self.labels_of(record), props)

    def to_edge(self, record: RawRecord) -> Edge:
        props = self.common_props(record)
        props["id"] = record.id
        edge_type = self.model.edges[record.type]
        if edge_type.category == "act":
            props.setdefault("involvement", CARRIED_OUT)
            if edge_type.agent and "attribution" not in props:
                agent = self.nodes.get(record.target if edge_type.agent == "to" else record.source)
                props["attribution"] = "not_stated" if agent is not None and _is_not_stated(agent) else "stated"
        return Edge(record.type, record.source, record.target, props)


def _references(properties: dict[str, Property]) -> list[tuple[str, Property]]:
    return [(key, prop) for key, prop in properties.items() if prop.is_reference]


def _quoted_refs(record: RawRecord) -> list[SourceRef]:
    return [ref for ref in record.props.get("sources", ()) if ref.quote]


def _is_not_stated(record: RawRecord) -> bool:
    """Whether the node is the model's perpetrator-not-stated (an Organization of kind NotStated)."""
    kinds = record.props.get("kind")
    return isinstance(kinds, list) and NOT_STATED_KIND in kinds


def _names(record: RawRecord) -> list[str]:
    return [name for name in [record.props.get("name", ""), *record.props.get("aliases", ())] if name]


def _derived_name(record: RawRecord) -> str:
    props = record.props
    if record.type == "LegalArticle":
        part = f" part {props['part']}" if props.get("part") else ""
        return f"Art. {props.get('article', '?')}{part} ({props.get('code', '?')})"
    return str(props.get("title", record.id))


def _unite(first: list[Any], second: list[Any]) -> list[Any]:
    return first + [item for item in second if item not in first]


def _plain(value: Any) -> Any:
    """Property values as plain data (dates stay DateValue for the store to expand)."""
    if isinstance(value, SourceRef):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class Collected(Dataset):
    """A dataset collected from a validation (a :class:`Sink`)."""

    edge_index: dict[str, Edge] = field(default_factory=dict, repr=False)

    def node(self, node: Node) -> None:
        self.nodes[node.id] = node

    def retell(self, node: Node) -> None:
        self.nodes[node.id] = node

    def edge(self, edge: Edge) -> None:
        self.edges.append(edge)
        self.edge_index[edge.id] = edge

    def edge_again(self, edge: Edge) -> None:
        first = self.edge_index[edge.id]
        first.properties = tell_again(first.properties, edge.properties)


def validate(path: Path, model: Model | None = None, readers: int | None = None) -> ValidationResult:
    """Validate a folder (or one file) of curated YAML into a dataset (``readers``: see
    ``Validator.run``)."""
    with paused_gc():
        return Validator(path, model or load_model(), Collected()).run(path, readers=readers)


__all__ = ["ValidationResult", "Validator", "collect", "validate"]
