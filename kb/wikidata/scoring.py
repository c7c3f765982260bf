"""How a Wikidata candidate is scored and when the best one is accepted (kb.wikidata.linking
has the whole procedure in its docstring: pins, candidates, score, accept)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Literal

from kb.errors import a_or_an
from kb.namespaces import EK, compact

# Classes (and, through P279*, their subclasses) each kind of entity accepts. The candidate
# details query (queries/internal/wikidata-candidate-details.rq) asks about exactly these.
PERSON = frozenset({"Q5"})  # human
ORGANIZATION = frozenset(
    {
        "Q43229",  # organization
        "Q4830453",  # business
        "Q783794",  # company
        "Q6881511",  # enterprise
        "Q891723",  # public company
        "Q163740",  # nonprofit organization
        "Q327333",  # government agency
    }
)
COUNTRY = frozenset({"Q6256", "Q3624078", "Q7275"})  # country, sovereign state, state
REGION = frozenset({"Q82794", "Q5107"})  # geographic region, continent
CITY = frozenset({"Q515", "Q486972", "Q1549591"})  # city, human settlement, big city


@dataclass(frozen=True)
class Kind:
    """What a KB class accepts on the Wikidata side, and whether names alone can decide."""

    name: str
    classes: frozenset[str]
    needs_context: bool
    order: int


KINDS = {
    EK + "Country": Kind("country", COUNTRY, False, 0),
    EK + "Region": Kind("region", REGION, False, 1),
    EK + "Place": Kind("place", COUNTRY | REGION | CITY, True, 2),
    EK + "City": Kind("city", CITY, True, 3),
    EK + "Organization": Kind("organization", ORGANIZATION, True, 4),
    EK + "Person": Kind("person", PERSON, True, 5),
}

NAME_LABEL, NAME_ALIAS, NAME_EXTRA, NAME_EXTRA_MAX = 0.5, 0.4, 0.1, 0.2
TYPE_BONUS, SUPPORT_BONUS, CONTRADICTION_MALUS = 0.3, 0.25, 0.4
ACCEPT_SCORE, ACCEPT_MARGIN = 0.75, 0.25

ACCEPTED, REVIEW, NO_CANDIDATE, NOT_CHECKED = "accepted", "review", "no candidate", "not checked"
STATUS_IRIS = {
    ACCEPTED: EK + "LinkAccepted",
    REVIEW: EK + "LinkNeedsReview",
    NO_CANDIDATE: EK + "LinkNoCandidate",
    NOT_CHECKED: EK + "LinkNotChecked",
}


@dataclass
class Entity:
    iri: str
    kind: Kind
    names: list[tuple[Literal, bool]] = field(default_factory=list)
    """Every label (True) and alias (False), with its language tag."""
    gazetteer: bool = False

    @property
    def label(self) -> str:
        labels = [n for n, is_label in self.names if is_label]
        english = [n for n in labels if n.language == "en"]
        return (english or labels or [n for n, _ in self.names])[0].value


@dataclass
class Candidate:
    qid: str
    matched: list[tuple[str, str]] = field(default_factory=list)
    """(name as written with its language, "label"|"alias")."""
    facts: dict[str, set[str]] = field(default_factory=dict)
    """Details from Wikidata: key (class, P31, P17, label, ...) → values (QIDs or text)."""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    type_ok: bool = False
    support: int = 0
    contradictions: int = 0
    rejected: bool = False

    @property
    def label(self) -> str:
        labels = sorted(self.facts.get("label", ()))
        return labels[0] if labels else ""

    @property
    def description(self) -> str:
        descriptions = sorted(self.facts.get("description", ()))
        return descriptions[0] if descriptions else ""


def score_candidate(
    entity: Entity,
    candidate: Candidate,
    context: list[tuple[str, str]],
    links: dict[str, str],
    labels: dict[str, str],
) -> None:
    """Fill in ``candidate.score`` and its reasons (see the module docstring)."""
    reasons: list[str] = []
    how = {h for _, h in candidate.matched}
    score = NAME_LABEL if "label" in how else NAME_ALIAS
    score += min(NAME_EXTRA_MAX, NAME_EXTRA * (len(candidate.matched) - 1))
    names = ", ".join(f"{n} ({h})" for n, h in candidate.matched)
    reasons.append(f"name {names}")
    classes = candidate.facts.get("class", set()) & entity.kind.classes
    candidate.type_ok = bool(classes)
    if candidate.type_ok:
        score += TYPE_BONUS
        reasons.append(f"{entity.kind.name} type ({', '.join(sorted(classes))})")
    else:
        direct = ", ".join(sorted(candidate.facts.get("P31", ()))) or "none"
        reasons.append(f"wrong type for {a_or_an(entity.kind.name)} (P31: {direct})")
    facts = candidate.facts
    support = contradictions = 0
    for relation, other in context:
        if relation == "role":
            held = {p.casefold() for p in facts.get("P39label", ())}
            if other.casefold() in held:
                support += 1
                reasons.append(f"position held (P39): {other}")
            continue
        linked = links.get(other)
        if linked is None:
            continue
        name = f"{labels.get(other, compact(other))} ({linked})"
        if relation == "employer":
            for key in ("P108", "^P169", "^P112"):
                if linked in facts.get(key, ()):
                    support += 1
                    reasons.append(f"employer {name} ({key})")
                    break
        elif relation == "country":
            countries = facts.get("P17", set()) | facts.get("P159/P17", set())
            if linked in countries:
                support += 1
                reasons.append(f"country {name} (P17/P159)")
            elif countries:
                contradictions += 1
                reasons.append(
                    f"country contradicts the KB: Wikidata {', '.join(sorted(countries))}, "
                    f"KB {name}"
                )
        elif relation in ("parent", "child"):
            key = "P749" if relation == "parent" else "P355"
            if linked in facts.get(key, ()):
                support += 1
                reasons.append(f"{relation} {name} ({key})")
    score += SUPPORT_BONUS * support - CONTRADICTION_MALUS * contradictions
    candidate.score = round(score, 2)
    candidate.support = support
    candidate.contradictions = contradictions
    candidate.reasons = reasons


@dataclass
class Decision:
    entity: Entity
    status: str
    method: str
    target: str | None = None
    score: float | None = None
    reason: str = ""
    candidates: list[Candidate] = field(default_factory=list)


def decide(entity: Entity, candidates: list[Candidate]) -> Decision:
    """Accept the best candidate if the evidence is clear (module docstring, step 4)."""
    # Candidates the entity could be come first; each group by score.
    ranked = sorted(candidates, key=lambda c: (not c.type_ok or c.rejected, -c.score, c.qid))
    if not ranked:
        return Decision(entity, NO_CANDIDATE, "scorer", reason="no item has any of its names")
    eligible = [c for c in ranked if c.type_ok and not c.rejected]
    if not eligible:
        return Decision(
            entity,
            REVIEW,
            "scorer",
            score=ranked[0].score,
            reason=f"no candidate is {a_or_an(entity.kind.name)} that the pin file allows",
            candidates=ranked,
        )
    best = eligible[0]
    runner_up = eligible[1] if len(eligible) > 1 else None
    problem = ""
    if best.contradictions:
        problem = "the KB contradicts the best candidate"
    elif best.score < ACCEPT_SCORE:
        problem = f"best score {best.score:.2f} is below {ACCEPT_SCORE:.2f}"
    elif runner_up is not None and best.score - runner_up.score < ACCEPT_MARGIN:
        problem = f"ambiguous: {best.qid} {best.score:.2f} vs {runner_up.qid} {runner_up.score:.2f}"
    elif entity.kind.needs_context and not best.support:
        problem = f"{a_or_an(entity.kind.name)} needs a statement the KB confirms; none does"
    if problem:
        return Decision(
            entity, REVIEW, "scorer", score=best.score, reason=problem, candidates=ranked
        )
    return Decision(
        entity,
        ACCEPTED,
        "scorer",
        target=best.qid,
        score=best.score,
        reason="; ".join(best.reasons),
        candidates=ranked,
    )
