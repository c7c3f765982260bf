"""Pin files: hand-made link decisions that win over the scorer and survive re-runs.

A pin fixes an entity's Wikidata item; a reject forbids an item for it. The KB ships pins for
the seed article's entities whose QIDs are verified (``facts/links/wikidata-pins.yaml``, each
with its source); ``kb link --pins FILE`` adds yours, which win over the shipped ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb import resources
from kb.errors import InputError
from kb.namespaces import EKR, compact

QID_PATTERN = re.compile(r"Q[1-9][0-9]*")
SHIPPED_PINS = "links/wikidata-pins.yaml"
PINS_FORMAT = "event-kb-wikidata-pins/1"


@dataclass(frozen=True)
class Pin:
    entity: str
    """The entity's IRI."""
    qid: str
    source: str
    """Where the QID was verified (a pin) or why the item is wrong (a reject)."""
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Pins:
    """Hand-made decisions: ``pins`` fix an entity's item, ``rejects`` forbid items."""

    pins: dict[str, Pin] = field(default_factory=dict)
    rejects: dict[str, dict[str, Pin]] = field(default_factory=dict)

    def update(self, other: Pins) -> None:
        """Add ``other``'s decisions; its pins replace ours for the same entity."""
        self.pins.update(other.pins)
        for entity, rejected in other.rejects.items():
            self.rejects.setdefault(entity, {}).update(rejected)


def read_pins(path: str | Path, data: bytes | None = None) -> Pins:
    """Read a pin file::

        format: event-kb-wikidata-pins/1
        pins:                      # the entity IS this item
          - entity: nvidia         # the entity's id in the KB (or its full IRI)
            qid: Q182477
            source: where the QID was verified
        rejects:                   # the entity is NOT this item, whatever the scores say
          - entity: naver
            qid: Q485639
            source: why (e.g. "the web portal, not the company")

    Errors name the file, the line and the field.
    """
    from loaders.yamlsource import YMap, line_of, read_yaml

    where = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise InputError(f"cannot read the pin file: {err.strerror}", path=where) from None
    root = read_yaml(data, where)
    if not isinstance(root, YMap):
        raise InputError("a pin file is a mapping with format, pins, rejects", path=where, line=1)
    if root.get("format") != PINS_FORMAT:
        raise InputError(
            f"expected format: {PINS_FORMAT}",
            path=where,
            line=root.key_lines.get("format", 1),
            field="format",
        )
    unknown = set(root) - {"format", "pins", "rejects"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError("unknown key", path=where, line=root.key_lines[key], field=key)
    result = Pins()
    for section in ("pins", "rejects"):
        entries = root.get(section) or []
        if not isinstance(entries, list):
            raise InputError(
                "must be a list", path=where, line=root.key_lines[section], field=section
            )
        for i, entry in enumerate(entries):
            line = line_of(entry, root.key_lines[section])
            at = f"{section}[{i}]"
            if not isinstance(entry, YMap):
                raise InputError("must be a mapping", path=where, line=line, field=at)
            for key in ("entity", "qid", "source"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise InputError(
                        "is required (a string)", path=where, line=line, field=f"{at}.{key}"
                    )
            extra = set(entry) - {"entity", "qid", "source"}
            if extra:
                key = sorted(extra)[0]
                raise InputError(
                    "unknown key", path=where, line=entry.key_lines[key], field=f"{at}.{key}"
                )
            qid_text = str(entry["qid"]).strip()
            if not QID_PATTERN.fullmatch(qid_text):
                raise InputError(
                    f"{qid_text!r} is not a Wikidata item id (Q followed by digits)",
                    path=where,
                    line=entry.key_lines["qid"],
                    field=f"{at}.qid",
                )
            entity = str(entry["entity"]).strip()
            iri = entity if entity.startswith(("http://", "https://")) else EKR + entity
            pin = Pin(iri, qid_text, str(entry["source"]).strip(), where, line or 1)
            if section == "pins":
                if iri in result.pins:
                    first = result.pins[iri].where
                    raise InputError(
                        f"{entity} is pinned twice (first at {first})",
                        path=where,
                        line=line,
                        field=f"{at}.entity",
                    )
                result.pins[iri] = pin
            else:
                result.rejects.setdefault(iri, {})[qid_text] = pin
    for iri, pin in result.pins.items():
        if pin.qid in result.rejects.get(iri, {}):
            raise InputError(
                f"{compact(iri)} is both pinned to and rejected from {pin.qid}",
                path=where,
                line=pin.line,
            )
    return result


def shipped_pins() -> Pins:
    """The pins that ship with the KB: the seed entities' verified QIDs, with sources."""
    path = resources.facts_dir() / SHIPPED_PINS
    return read_pins(f"facts/{SHIPPED_PINS}", path.read_bytes())
