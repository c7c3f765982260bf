"""Who met whom, who signed with whom, who works where and who partners whom, as a graph
of people and organizations: what ``kb graph`` writes and ``kb serve``'s graph view draws.

Nodes are people and organizations; an edge joins two of them for each meeting (every pair
of participants), agreement and cooperation (every pair of parties), post (holder and
organization), family tie, partnership (``ek:partnerOf``, derived: it includes partners
through a unit, such as Naver through Naver Cloud) and unit (``ek:subOrganizationOf``).
Each edge is labelled with its kind (the agreement's kind, the post's role, ...) and date,
as written.

``neighbourhood`` walks out from one entity, one step per ``depth`` (one SPARQL
CONSTRUCT per step, ``queries/internal/graph-step.rq``), or takes every person and
organization when no entity is given; past ``max_nodes`` it refuses rather than draw an
unreadable picture. The writers give cytoscape.js elements (JSON), Graphviz DOT and
GraphML.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, Variable

from kb.errors import KBError, ParameterError
from kb.namespaces import EK, EKR, compact
from kb.ontology import label as ontology_label
from kb.sparql.catalogue import internal_query, values_query

if TYPE_CHECKING:
    from kb.api import KB

MAX_DEPTH = 2
BATCH = 500
"""Entities per query: keeps each request well under any server's size limit."""
MEMBER_LINKS = frozenset(
    EK + p for p in ("participant", "party", "holder", "organization", "person", "relative")
)
EDGE_LINKS = {
    "Meeting": ("participant",),
    "Agreement": ("party",),
    "Cooperation": ("party",),
    "Post": ("holder", "organization"),
    "Kinship": ("person", "relative"),
}
"""Which members of a fact an edge joins: every pair in one role, or one role to another
(people present at a signing are members of the agreement, not its parties)."""
COLOURS = {"Person": "#f2b134", "Organization": "#3b7dd8"}
"""Fill colour by class: the page's stylesheet and the DOT output use the same."""


@dataclass
class Node:
    iri: str
    label: str
    cls: str
    """``Person`` or ``Organization``."""
    depth: int

    @property
    def id(self) -> str:
        return _short(self.iri)


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    """``Meeting``, ``Agreement``, ``Cooperation``, ``Post``, ``Kinship``, ``partnerOf`` or
    ``subOrganizationOf``."""
    label: str
    date: str = ""
    fact: str | None = None
    """The fact the edge stands for; None for partnerships and units."""

    @property
    def id(self) -> str:
        return "|".join([self.fact or self.kind, self.source, self.target])


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    focus: str | None = None

    # -- writers ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """cytoscape.js elements, with each node's entity page."""
        return {
            "focus": self.nodes[self.focus].id if self.focus else None,
            "nodes": [
                {
                    "data": {
                        "id": n.id,
                        "label": n.label,
                        "class": n.cls,
                        "depth": n.depth,
                        "focus": n.iri == self.focus,
                        "href": f"/entity/{n.id}",
                    }
                }
                for n in self.nodes.values()
            ],
            "edges": [
                {
                    "data": {
                        "id": e.id,
                        "source": self.nodes[e.source].id,
                        "target": self.nodes[e.target].id,
                        "kind": e.kind,
                        "label": e.label,
                        "date": e.date,
                        "fact": _short(e.fact) if e.fact else None,
                    }
                }
                for e in self.edges
            ],
        }

    def to_dot(self) -> str:
        """Graphviz DOT: an undirected graph, nodes filled by class, edges labelled."""
        lines = [
            "graph event_kb {",
            '  graph [overlap=false, splines=true, fontname="Noto Sans CJK KR"];',
            '  node [shape=box, style="rounded,filled", fontname="Noto Sans CJK KR", '
            'fontcolor="#111111"];',
            '  edge [fontname="Noto Sans CJK KR", fontsize=9, color="#666666"];',
        ]
        for node in self.nodes.values():
            attrs = {
                "label": node.label,
                "class": node.cls,
                "fillcolor": COLOURS.get(node.cls, "#dddddd"),
            }
            if node.iri == self.focus:
                attrs["penwidth"] = "3"
            lines.append(f"  {_dot_id(node.id)} [{_dot_attrs(attrs)}];")
        for edge in self.edges:
            attrs = {"label": edge.label, "kind": edge.kind}
            if edge.kind in ("partnerOf", "subOrganizationOf"):
                attrs["style"] = "dashed"
            source, target = self.nodes[edge.source].id, self.nodes[edge.target].id
            lines.append(f"  {_dot_id(source)} -- {_dot_id(target)} [{_dot_attrs(attrs)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_graphml(self) -> str:
        """GraphML (what networkx, Gephi, yEd and Cytoscape desktop read)."""
        ns = "http://graphml.graphdrawing.org/xmlns"
        ET.register_namespace("", ns)
        root = ET.Element(f"{{{ns}}}graphml")
        keys = [
            ("label", "node"),
            ("class", "node"),
            ("iri", "node"),
            ("label", "edge"),
            ("kind", "edge"),
            ("date", "edge"),
            ("fact", "edge"),
        ]
        for name, domain in keys:
            ET.SubElement(
                root,
                f"{{{ns}}}key",
                {
                    "id": f"{domain}_{name}",
                    "for": domain,
                    "attr.name": name,
                    "attr.type": "string",
                },
            )
        graph = ET.SubElement(
            root, f"{{{ns}}}graph", {"id": "event-kb", "edgedefault": "undirected"}
        )

        def data(parent: ET.Element, key: str, value: str | None) -> None:
            if value:
                ET.SubElement(parent, f"{{{ns}}}data", {"key": key}).text = value

        for node in self.nodes.values():
            element = ET.SubElement(graph, f"{{{ns}}}node", {"id": node.id})
            data(element, "node_label", node.label)
            data(element, "node_class", node.cls)
            data(element, "node_iri", node.iri)
        for edge in self.edges:
            element = ET.SubElement(
                graph,
                f"{{{ns}}}edge",
                {
                    "id": edge.id,
                    "source": self.nodes[edge.source].id,
                    "target": self.nodes[edge.target].id,
                },
            )
            data(element, "edge_label", edge.label)
            data(element, "edge_kind", edge.kind)
            data(element, "edge_date", edge.date)
            data(element, "edge_fact", edge.fact)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

    def text(self, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        if fmt == "dot":
            return self.to_dot()
        if fmt == "graphml":
            return self.to_graphml()
        raise KBError(f"no graph format {fmt!r}; use json, dot or graphml")


def neighbourhood(
    kb: KB,
    entity: str | None = None,
    *,
    depth: int = 1,
    lang: str = "en",
    max_nodes: int = 200,
) -> Graph:
    """The graph around ``entity`` (a name, alias, id or IRI) up to ``depth`` steps (1 or
    2), or of every person and organization when ``entity`` is None."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ParameterError(f"--depth: {depth} is not 1 or 2")
    graph = Graph()
    facts: dict[str, dict[str, Any]] = {}
    pairs: dict[str, set[tuple[str, str]]] = {"partnerOf": set(), "subOrganizationOf": set()}
    depths: dict[str, int] = {}
    if entity is None:
        frontier = [
            row["entity"].value for row in kb.backend.query(internal_query("graph-members"))
        ]
        if len(frontier) > max_nodes:
            raise KBError(
                f"the KB has {len(frontier)} people and organizations, more than {max_nodes} "
                "to draw: give an entity to draw the graph around"
            )
        depths = dict.fromkeys(frontier, 0)
        steps = 1
    else:
        graph.focus = kb.resolve(entity, param="entity").value
        frontier = [graph.focus]
        depths = {graph.focus: 0}
        steps = depth
    for step in range(1, steps + 1):
        found: set[str] = set()
        for start in range(0, len(frontier), BATCH):
            batch = [NamedNode(iri) for iri in frontier[start : start + BATCH]]
            for triple in kb.backend.query(values_query("graph-step", "focus", batch)):
                found |= _take(triple, facts, pairs)
        new = [iri for iri in sorted(found) if iri not in depths]
        for iri in new:
            depths[iri] = step
        frontier = new
        if len(depths) > max_nodes * 4:  # members of facts that are not people or orgs
            break
    _labelled(kb, graph, depths, facts, pairs, lang)
    if len(graph.nodes) > max_nodes:
        raise KBError(
            f"the graph around {entity!r} at depth {depth} has {len(graph.nodes)} people and "
            f"organizations, more than {max_nodes} to draw: ask for depth 1, or another entity"
        )
    return graph


def _take(
    triple: Any, facts: dict[str, dict[str, Any]], pairs: dict[str, set[tuple[str, str]]]
) -> set[str]:
    """Record one triple of a step; return the entities it reaches."""
    subject, predicate, value = triple.subject.value, triple.predicate.value, triple.object
    local = predicate.removeprefix(EK)
    if local in pairs:
        pairs[local].add((subject, value.value))
        return {subject, value.value}
    fact = facts.setdefault(subject, {"members": set(), "type": None, "date": ""})
    if predicate in MEMBER_LINKS:
        fact["members"].add((local, value.value))
        return {value.value}
    if local == "date" and isinstance(value, Literal):
        fact["date"] = value.value
    elif isinstance(value, NamedNode) and value.value.startswith(EK):
        fact["type"] = value.value.removeprefix(EK)
    return set()


def _labelled(
    kb: KB,
    graph: Graph,
    depths: dict[str, int],
    facts: dict[str, dict[str, Any]],
    pairs: dict[str, set[tuple[str, str]]],
    lang: str,
) -> None:
    """Name the nodes (people and organizations only) and turn facts into edges."""
    items = sorted({*depths, *facts})
    info: dict[str, dict[str, str]] = {}
    for start in range(0, len(items), BATCH):
        batch = [NamedNode(i) for i in items[start : start + BATCH]]
        sparql = values_query("graph-labels", "item", batch)
        for row in kb.backend.query(sparql, {Variable("lang"): Literal(lang)}):
            info[row["item"].value] = {
                k: (row[k].value if row[k] is not None else "")
                for k in ("type", "label", "fallback", "kind")
            }
    for iri, depth in sorted(depths.items(), key=lambda kv: (kv[1], kv[0])):
        about = info.get(iri, {})
        cls = about.get("type", "").removeprefix(EK)
        if cls in ("Person", "Organization"):
            node = Node(iri, about.get("label") or about.get("fallback") or "", cls, depth)
            node.label = node.label or node.id
            graph.nodes[iri] = node
    for iri, fact in sorted(facts.items()):
        links = EDGE_LINKS.get(fact["type"])
        if links is None:
            continue
        about = info.get(iri, {})
        kind = about.get("kind") or ontology_label(EK + fact["type"], lang)
        text = f"{kind} {fact['date']}".strip()
        roles: dict[str, set[str]] = {}
        for link, member in fact["members"]:
            if member in graph.nodes:
                roles.setdefault(link, set()).add(member)
        if len(links) == 2:  # from one role to the other: holder → organization
            ends = [(a, b) for a in roles.get(links[0], ()) for b in roles.get(links[1], ())]
        else:  # every pair of participants, or of parties
            members = sorted(roles.get(links[0], ()))
            ends = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        graph.edges.extend(Edge(a, b, fact["type"], text, fact["date"], iri) for a, b in ends)
    joined = {
        frozenset((e.source, e.target))
        for e in graph.edges
        if e.kind in ("Agreement", "Cooperation")
    }
    for kind, found in pairs.items():
        seen: set[frozenset[str]] = set()
        for a, b in sorted(found):
            pair = frozenset((a, b))
            if a in graph.nodes and b in graph.nodes and pair not in seen:
                if kind == "partnerOf" and pair in joined:
                    continue  # an agreement or cooperation between them already shows it
                seen.add(pair)
                graph.edges.append(Edge(a, b, kind, ontology_label(EK + kind, lang)))
    linked = {end for e in graph.edges for end in (e.source, e.target)}
    for iri in [i for i in graph.nodes if i not in linked and i != graph.focus]:
        del graph.nodes[iri]  # reached only as someone present, or through a place


def _short(iri: str) -> str:
    """``naver`` for ``ekr:naver``; other IRIs compacted."""
    return iri.removeprefix(EKR) if iri.startswith(EKR) else compact(iri)


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={_dot_id(v)}" for k, v in attrs.items())
