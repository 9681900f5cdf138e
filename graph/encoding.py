"""Property values to and from what both engines store (scalars and lists of scalars).

Evidence and claims are lists of small objects; Neo4j properties cannot hold maps, so each
item is stored as a compact JSON string and decoded on the way out. Dates keep the text the
curator wrote, plus ``<name>_from`` / ``<name>_to`` day bounds for range queries.
"""

from __future__ import annotations

import json
from typing import Any

from .dates import DateValue
from .names import name_key

JSON_PROPERTIES = ("sources", "claims")
# One encoder for every item (json.dumps with options builds a new encoder per call).
_to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
# Derived on the way in, for querying; left out of exports and API answers (`public` is set by
# the writer, graph/writer.py, for the visibility scope, graph/scope.py; `gen` too, for the
# generation a record belongs to).
# The generation a record belongs to (graph/writer.py): where it is, not what it says.
GENERATION = "gen"
DERIVED_PROPERTIES = ("source_ids", "name_keys", "public", GENERATION)


def encode(properties: dict[str, Any]) -> dict[str, Any]:
    """Properties as stored: JSON items for evidence, day bounds for dates, search keys."""
    stored: dict[str, Any] = {}
    for key, value in properties.items():
        if value is None or value == []:
            continue
        if isinstance(value, DateValue):
            stored[key] = value.text
            stored[f"{key}_from"] = value.start
            stored[f"{key}_to"] = value.end
        elif key in JSON_PROPERTIES:
            stored[key] = [_to_json(item) for item in value]
        else:
            stored[key] = value
    stored["source_ids"] = sorted({ref["source"] for ref in properties.get("sources", [])})
    names = [properties.get("name")] + list(properties.get("aliases", []))
    keys = sorted({name_key(n) for n in names if n})
    if keys:
        stored["name_keys"] = keys
    return stored


def decode_evidence(stored: Any) -> list[Any]:
    """Evidence as stored (JSON text per reference, maybe in nested lists, as a query collects it)
    as a list of distinct references, in order: the one place evidence is decoded."""
    # Distinct by text (every reference is written by one encoder, `_to_json`, so equal
    # references are equal texts): comparing each reference with every one found before took
    # 4 s for the 180k acts of shared-officials at 100k entities. The texts are decoded together,
    # as one JSON array: one call for each took twice as long (173k references, 0.43 s).
    found: dict[str, Any] = {}
    for item in _flatten(stored if isinstance(stored, list) else []):
        if isinstance(item, str):
            found.setdefault(item, _UNREAD)
        else:
            found.setdefault(_to_json(item), item)
    texts = [text for text, value in found.items() if value is _UNREAD]
    if texts:
        decoded = _decoded(texts)
        for text, value in zip(texts, decoded, strict=True):
            found[text] = value
    return list(found.values())


_UNREAD = object()  # a reference whose text is not decoded yet


def _decoded(texts: list[str]) -> list[Any]:
    """JSON texts decoded, as one array when each is one value (what `_to_json` writes)."""
    try:
        values = json.loads("[" + ",".join(texts) + "]")
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, list) or len(values) != len(texts):  # a text that is not one value
        values = [json.loads(text) for text in texts]
    return values


def _flatten(value: list[Any]) -> Any:
    for item in value:
        if isinstance(item, list):
            yield from _flatten(item)
        elif item is not None:
            yield item


def _shown(stored: dict[str, Any]) -> list[str]:
    """The properties shown to users, in name order: derived values and a date's day bounds
    (`date_from`, `date_to` beside `date`, for queries) left out."""
    return [
        key
        for key in sorted(stored)
        if not (
            key in DERIVED_PROPERTIES or key.endswith("_from") or (key.endswith("_to") and f"{key[:-3]}_from" in stored)
        )
    ]


def decode(stored: dict[str, Any]) -> dict[str, Any]:
    """Properties as shown to users, sorted by name: evidence as objects, derived values left
    out. A date's day bounds (`date_from`, `date_to` beside `date`) are for queries, not shown."""
    # Called for every record a picture or an export reads: one pass, in name order.
    shown: dict[str, Any] = {}
    for key in _shown(stored):
        value = stored[key]
        if key == "sources" and isinstance(value, list):
            shown[key] = decode_evidence(value)
        elif key in JSON_PROPERTIES and isinstance(value, list):
            shown[key] = [json.loads(item) for item in value]
        else:
            shown[key] = value
    return shown


# As the API's answers are written (starlette's JSONResponse): no spaces, not ASCII-only.
to_json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def decoded_json(stored: dict[str, Any]) -> str:
    """``decode(stored)`` written as JSON text, without decoding the evidence: each stored
    reference is already JSON text (``_to_json``) and goes in as it is (the same values; its
    spacing is the encoder's). For answers sent as stored records' text (an ego network's
    records, queries/procedures/network.py), where decoding and writing again each reference
    was most of the work."""
    parts = []
    for key in _shown(stored):
        value = stored[key]
        if key in JSON_PROPERTIES and isinstance(value, list):
            items = [item if isinstance(item, str) else _to_json(item) for item in _flatten(value)]
            text = "[" + ",".join(dict.fromkeys(items) if key == "sources" else items) + "]"
        else:
            text = to_json_text(value)
        parts.append(f"{to_json_text(key)}:{text}")
    return "{" + ",".join(parts) + "}"
