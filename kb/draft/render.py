"""Step 8, output: the draft as an ``event-kb/1`` fact file with ``# check:`` comments, or
as JSON with the confidences and rules as fields (for tools).

The YAML is written here, not by a YAML library, because the comments are the point: each
item the analyst should look at carries a ``# check: ...`` line naming the rule that made
it and its confidence. Every text value is written as a double-quoted string, so no name
or quote can change the structure.
"""

from __future__ import annotations

import json
from typing import Any

FACT_ORDER = ("Post", "Kinship", "Meeting", "Agreement", "Cooperation", "Expansion", "Remark")
FIELD_ORDER = (
    "id", "type", "kind", "name", "aliases", "description", "person", "relative", "relation",
    "organization", "role", "start", "end", "former", "participants", "parties", "date",
    "place", "occasion", "present", "topics", "purposes", "into", "present_in", "areas",
    "partners", "places", "status", "speaker", "speaker_organization", "speaker_description",
    "about", "saying", "part_of", "based_in", "within", "operator", "note", "quote",
)  # fmt: skip


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if key in ("id", "type", "kind", "status", "language") or _is_ref(key):
        return str(value)
    return q(str(value))


_REF_KEYS = {
    "person", "relative", "organization", "role", "place", "occasion", "speaker",
    "speaker_organization", "part_of", "operator", "participants", "parties", "present",
    "topics", "into", "present_in", "areas", "partners", "places", "about", "based_in", "within",
}  # fmt: skip


def _is_ref(key: str) -> bool:
    return key in _REF_KEYS


def _lines(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        if all(isinstance(v, str) for v in value.values()):
            inner = ", ".join(f"{k}: {q(v)}" for k, v in value.items())
            return [f"{pad}{key}: {{{inner}}}"]
        out = [f"{pad}{key}:"]
        for k, v in value.items():
            out += _lines(k, v, indent + 2)
        return out
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            if _is_ref(key):
                return [f"{pad}{key}: [{', '.join(str(v) for v in value)}]"]
            if len(value) == 1:
                return [f"{pad}{key}: {q(str(value[0]))}"]
            return [f"{pad}{key}:"] + [f"{pad}  - {q(str(v))}" for v in value]
        out = [f"{pad}{key}:"]
        for item in value:
            item_lines = _mapping(item, indent + 4)
            item_lines[0] = f"{pad}  - " + item_lines[0].lstrip()
            out += item_lines
        return out
    return [f"{pad}{key}: {_scalar(key, value)}"]


def _mapping(item: dict[str, Any], indent: int) -> list[str]:
    out: list[str] = []
    keys = [k for k in FIELD_ORDER if k in item] + [k for k in item if k not in FIELD_ORDER]
    for key in keys:
        out += _lines(key, item[key], indent)
    return out


def _item(item: dict[str, Any], checks: list[str]) -> list[str]:
    out = [f"  # check: {c}" for c in checks]
    body = _mapping(item, 4)
    body[0] = "  - " + body[0].lstrip()
    return out + body


def to_yaml(draft: Any) -> str:
    """The draft as a fact file (``Draft.yaml``)."""
    out = [
        f"# Drafted by kb draft from {draft.source}: review every item, then `kb validate` it.",
        "# '# check:' marks what a rule proposed and how sure it is; delete what is wrong.",
        "format: event-kb/1",
        "",
    ]
    out += [f"# check: {c}" for c in draft.article_checks]
    out += _lines("article", draft.article, 0)
    out.append("")
    out.append("entities:")
    if not draft.entities:
        out[-1] = "entities: []"
    for entity in draft.entities:
        out += _item(entity.record, entity.notes)
    out.append("")
    out.append("facts:")
    if not draft.facts:
        out[-1] = "facts: []"
    for fact in draft.facts:
        out += _item(fact.record, fact.notes)
    if draft.unlinked:
        out.append("")
        out.append(
            "# Names in the article that no fact uses and no rule could type "
            "(add them if they matter):"
        )
        out += [f"#   {name}" for name in draft.unlinked]
    return "\n".join(out) + "\n"


def to_json(draft: Any) -> dict[str, Any]:
    """The draft as data, with each item's rule, confidence and checks (``Draft.as_json``)."""
    return {
        "format": "event-kb/1",
        "source": draft.source,
        "article": draft.article,
        "article_checks": draft.article_checks,
        "entities": [
            {**e.record, "_rule": e.rule, "_confidence": e.confidence, "_checks": e.checks}
            for e in draft.entities
        ],
        "facts": [
            {**f.record, "_rule": f.rule, "_confidence": f.confidence, "_checks": f.checks}
            for f in draft.facts
        ],
        "unlinked": draft.unlinked,
    }
