"""YAML reading that remembers where every value came from.

PyYAML's plain ``safe_load`` forgets line numbers, silently keeps the last of two duplicate
keys and expands aliases (the "billion laughs" bomb). Fact files need none of that: we
compose the node tree ourselves, keep each scalar as a string with its line, refuse
duplicate keys and anchors/aliases, and leave type conversion (dates, numbers) to the
fact-file schema, which knows what each field means.
"""

from __future__ import annotations

from typing import Any

import yaml

from kb.errors import InputError
from loaders.source import decode_utf8


class YStr(str):
    """A scalar from the file; ``line`` is 1-based. ``plain`` is False when it was quoted."""

    line: int
    plain: bool


class YMap(dict[str, Any]):
    """A mapping from the file, with the line of the mapping and of each key."""

    line: int
    key_lines: dict[str, int]


class YList(list[Any]):
    """A sequence from the file, with its line."""

    line: int


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader without implicit tags: every scalar stays a string (the schema
    converts it), so no scalar is matched against YAML's patterns for numbers, dates and
    booleans (a third of composing a fact file). Only the merge key keeps its tag, to be
    refused."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0] and value == "<<":
                return "tag:yaml.org,2002:merge"
            return self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


_LOADER = _Loader
NULLS = {"", "~", "null", "Null", "NULL"}


def line_of(value: Any, default: int | None = None) -> int | None:
    return getattr(value, "line", default)


def read_yaml(data: bytes, path: str) -> Any:
    """Parse one YAML document into YMap/YList/YStr (plain nulls become None)."""
    if not data.strip():
        raise InputError("the file is empty", path=path, line=1)
    text = decode_utf8(data, path)
    try:
        # an alias is written *name: without a '*' there is none, and no second pass
        for event in yaml.parse(text, Loader=_LOADER) if "*" in text else ():
            if isinstance(event, yaml.AliasEvent):
                raise InputError(
                    "YAML anchors and aliases are not allowed",
                    path=path,
                    line=event.start_mark.line + 1,
                )
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise InputError(
            f"YAML syntax error: {problem}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as err:  # a NUL or other control character
        at = err.position
        raise InputError(
            f"character U+{err.character:04X} is not allowed in YAML",
            path=path,
            line=text.count("\n", 0, at) + 1,
            column=at - text.rfind("\n", 0, at),
        ) from None
    except yaml.YAMLError as err:  # e.g. more than one document
        raise InputError(f"YAML error: {err}", path=path) from None
    if root is None:
        raise InputError("the file holds no YAML document", path=path, line=1)
    return _convert(root, path)


def _convert(node: yaml.Node, path: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in NULLS:
            return None
        scalar = YStr(node.value)
        scalar.line = line
        scalar.plain = node.style is None
        return scalar
    if isinstance(node, yaml.SequenceNode):
        items = YList(_convert(item, path) for item in node.value)
        items.line = line
        return items
    assert isinstance(node, yaml.MappingNode)
    mapping = YMap()
    mapping.line = line
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise InputError("YAML merge keys (<<) are not allowed", path=path, line=key_line)
        if not isinstance(key_node, yaml.ScalarNode):
            raise InputError("a mapping key must be a plain name", path=path, line=key_line)
        key = key_node.value
        if key in mapping:
            raise InputError(
                f"duplicate key (first on line {mapping.key_lines[key]})",
                path=path,
                line=key_line,
                field=key,
            )
        mapping.key_lines[key] = key_line
        mapping[key] = _convert(value_node, path)
    return mapping
