"""Synthetic articles for the benchmark, deterministic by seed.

A ``World`` holds organizations (some of them units of others), people (each holding a post
at one organization), topics, roles and the places of the gazetteer. Each synthetic article
picks a few organizations and people, with a skewed (Zipf-like) popularity as in real news,
and states what a business article states: posts, a meeting, often an agreement with its
purposes, a declared cooperation, an expansion into a country or region, now and then a
remark or a family tie. Every fact carries a Korean quote; names are in English and Korean.

Each article is written as a fact file (``facts/NNNNNN.yaml``) exactly as an analyst would
write it, self-contained like the seed article (it defines every entity it mentions, except
gazetteer places). The same articles are written as N-Quads (``data.nq``) by running the
project's own planner over each fact file, so the raw engines get exactly the quads the KB
stores.

Article ``i`` draws from its own random generator, seeded with ``(seed, i)``; the world is
seeded with ``seed`` and sized from the target. Output is identical for the same seed and
size, however many processes produce it.
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import RdfFormat, parse, serialize

from kb import resources
from kb.namespaces import EK, EKR, GAZETTEER_GRAPH, RDF, RDFS, SYSTEM_GRAPH_FILES
from kb.store.entity_graph import article_content, entity_quads, records_in
from loaders.plan import plan_file

QUADS_PER_ARTICLE = 230  # rough mean, to size the world before generating
ZIPF = 0.7  # popularity skew of organizations and people

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# (English, Korean) syllables; names are made of two or three of them.
SYLLABLES = [
    ("Ka", "카"),
    ("Ro", "로"),
    ("Na", "나"),
    ("Vi", "비"),
    ("Tek", "텍"),
    ("Sol", "솔"),
    ("Min", "민"),
    ("Do", "도"),
    ("Ra", "라"),
    ("Zen", "젠"),
    ("Lu", "루"),
    ("Mo", "모"),
    ("Ha", "하"),
    ("Ne", "네"),
    ("Tri", "트리"),
    ("Qu", "쿠"),
    ("Sen", "센"),
    ("Bi", "비"),
    ("Ari", "아리"),
    ("Pan", "판"),
    ("Gen", "젠"),
    ("Hel", "헬"),
    ("Ion", "이온"),
    ("Ux", "억스"),
    ("Val", "발"),
    ("Ori", "오리"),
    ("Sky", "스카이"),
    ("Nova", "노바"),
    ("Bit", "비트"),
    ("Dyn", "다인"),
    ("Lex", "렉스"),
    ("Mir", "미르"),
]
ORG_SUFFIXES = [
    ("Labs", "랩스"),
    ("Systems", "시스템즈"),
    ("Semiconductor", "반도체"),
    ("AI", "AI"),
    ("Telecom", "텔레콤"),
    ("Networks", "네트웍스"),
    ("Robotics", "로보틱스"),
    ("Electronics", "전자"),
    ("Data", "데이터"),
    ("Mobility", "모빌리티"),
]
UNIT_SUFFIXES = [
    ("Cloud", "클라우드"),
    ("Korea", "코리아"),
    ("Japan", "재팬"),
    ("Research", "리서치"),
    ("Ventures", "벤처스"),
    ("Europe", "유럽"),
    ("Americas", "아메리카"),
    ("Chips", "칩스"),
]
FAMILY = [
    ("Kim", "김"),
    ("Lee", "이"),
    ("Park", "박"),
    ("Choi", "최"),
    ("Jung", "정"),
    ("Kang", "강"),
    ("Cho", "조"),
    ("Yoon", "윤"),
    ("Jang", "장"),
    ("Lim", "임"),
    ("Han", "한"),
    ("Oh", "오"),
    ("Seo", "서"),
    ("Shin", "신"),
    ("Kwon", "권"),
    ("Hwang", "황"),
    ("Ahn", "안"),
    ("Song", "송"),
    ("Yoo", "유"),
    ("Hong", "홍"),
]
GIVEN = [
    ("min", "민"),
    ("jun", "준"),
    ("seo", "서"),
    ("yeon", "연"),
    ("ji", "지"),
    ("woo", "우"),
    ("hyun", "현"),
    ("soo", "수"),
    ("young", "영"),
    ("ho", "호"),
    ("jin", "진"),
    ("eun", "은"),
    ("hae", "해"),
    ("won", "원"),
    ("sung", "성"),
    ("kyung", "경"),
    ("hee", "희"),
    ("dong", "동"),
    ("joon", "준"),
    ("ah", "아"),
    ("yun", "윤"),
    ("tae", "태"),
    ("bin", "빈"),
    ("na", "나"),
    ("ri", "리"),
    ("gyu", "규"),
    ("chan", "찬"),
    ("mi", "미"),
    ("sik", "식"),
    ("hwan", "환"),
    ("il", "일"),
    ("bo", "보"),
    ("ra", "라"),
    ("in", "인"),
    ("ki", "기"),
    ("han", "한"),
    ("o", "오"),
    ("san", "산"),
    ("yu", "유"),
    ("ye", "예"),
]
TOPICS = [
    ("ai-chips", "AI chips", "AI 칩"),
    ("sovereign-ai", "sovereign AI", "소버린 AI"),
    ("ai-data-center", "AI data center", "인공지능 데이터센터"),  # as the seed names it
    ("hbm", "high-bandwidth memory", "고대역폭 메모리"),
    ("llm", "large language models", "대규모언어모델"),
    ("robotics", "robotics", "로보틱스"),
    ("autonomous-driving", "autonomous driving", "자율주행"),
    ("6g", "6G networks", "6G 네트워크"),
    ("cloud", "cloud services", "클라우드 서비스"),
    ("quantum", "quantum computing", "양자컴퓨팅"),
    ("healthcare-ai", "healthcare AI", "헬스케어 AI"),
    ("fintech", "fintech", "핀테크"),
    ("smart-factory", "smart factories", "스마트팩토리"),
    ("batteries", "batteries", "배터리"),
    ("foundry", "foundry", "파운드리"),
    ("edge-ai", "on-device AI", "온디바이스 AI"),
    ("cybersecurity", "cybersecurity", "사이버보안"),
    ("digital-twin", "digital twins", "디지털 트윈"),
    ("ai-agents", "AI agents", "AI 에이전트"),
    ("satellites", "satellite internet", "위성 인터넷"),
]
ROLES = [
    ("ceo", "chief executive officer", "최고경영자", "CEO"),
    ("cto", "chief technology officer", "최고기술책임자", "CTO"),
    ("cfo", "chief financial officer", "최고재무책임자", "CFO"),
    ("board-chair", "chairman of the board", "이사회 의장", None),
    ("country-head", "head of country operations", "대표", None),
    ("vp-ai", "vice president of AI", "AI 부사장", None),
    ("founder", "founder", "창업자", None),
    ("head-of-apac", "head of APAC", "APAC 총괄", None),
]
PUBLISHERS = [
    ("Bizwatch", "비즈워치"),
    ("Example Daily", "예시일보"),
    ("Tech Herald", "테크헤럴드"),
    ("Market Times", "마켓타임스"),
    ("AI Weekly", "AI 위클리"),
    ("Seoul Economic", "서울경제신문"),
]
KINDS = ["MOU", "contract", "joint-venture", "investment", "acquisition"]
STATUSES = ["planned", "underway", "completed", "announced"]
RELATIONS = [
    ({"en": "cousin", "ko": "사촌"}),
    ({"en": "nephew", "ko": "조카"}),
    ({"en": "brother", "ko": "형제"}),
]


@dataclass
class Org:
    id: str
    en: str
    ko: str
    country: str
    parent: int | None
    staff: list[int] = field(default_factory=list)


@dataclass
class Person:
    id: str
    en: str
    ko: str
    org: int
    role: int


@dataclass
class Place:
    id: str
    en: str
    ko: str


@cache
def gazetteer() -> tuple[tuple[Place, ...], tuple[Place, ...], dict[str, set[str]]]:
    """Countries and regions of ``ontology/gazetteer.ttl``, and every place's classes."""
    data = (resources.ontology_dir() / SYSTEM_GRAPH_FILES[GAZETTEER_GRAPH]).read_bytes()
    types: dict[str, set[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for q in parse(data, format=RdfFormat.TURTLE):
        s = q.subject.value
        if q.predicate.value == RDF + "type":
            types.setdefault(s, set()).add(q.object.value)
        elif q.predicate.value == RDFS + "label" and q.object.language in ("en", "ko"):
            labels[(s, q.object.language)] = q.object.value

    def places(cls: str) -> tuple[Place, ...]:
        return tuple(
            Place(iri.removeprefix(EKR), labels[(iri, "en")], labels[(iri, "ko")])
            for iri in sorted(types)
            if EK + cls in types[iri] and (iri, "ko") in labels
        )

    return places("Country"), places("Region"), types


def _gazetteer_types(iris: list[str], _graph: str) -> dict[str, set[str]]:
    types = gazetteer()[2]
    return {i: types[i] for i in iris if i in types}


def _cum_weights(n: int) -> list[float]:
    total, out = 0.0, []
    for i in range(n):
        total += 1.0 / (i + 1) ** ZIPF
        out.append(total)
    return out


class World:
    """Who and what the articles of one benchmark talk about, sized for ``target`` quads."""

    def __init__(self, seed: int, target: int) -> None:
        rng = random.Random(f"world:{seed}")
        articles = max(10, target // QUADS_PER_ARTICLE)
        self.seed = seed
        self.countries, self.regions, _ = gazetteer()
        self.orgs: list[Org] = []
        self.people: list[Person] = []
        seen: set[str] = set()
        for i in range(max(40, articles // 8)):
            parent = None
            if i > 10 and rng.random() < 0.3:
                parent = rng.randrange(i)
                while self.orgs[parent].parent is not None:
                    parent = self.orgs[parent].parent  # units of top-level orgs (and of units)
                    break
                suffix = rng.choice(UNIT_SUFFIXES)
                en = f"{self.orgs[parent].en} {suffix[0]}"
                ko = f"{self.orgs[parent].ko}{suffix[1]}"
            else:
                stem = rng.sample(SYLLABLES, rng.choice((2, 2, 3)))
                suffix = rng.choice(ORG_SUFFIXES)
                en = "".join(s[0] for s in stem).capitalize() + " " + suffix[0]
                ko = "".join(s[1] for s in stem) + suffix[1]
            if en.lower() in seen or ko in seen:
                en, ko = f"{en} {i}", f"{ko} {i}"
            seen.update((en.lower(), ko))
            country = rng.choice(self.countries[:40] if rng.random() < 0.7 else self.countries)
            self.orgs.append(Org(f"org-{i}", en, ko, country.id, parent))
        for i in range(max(80, articles // 3)):
            family = rng.choice(FAMILY)
            for _ in range(50):
                g1, g2 = rng.choice(GIVEN), rng.choice(GIVEN)
                en = f"{family[0]} {g1[0].capitalize()}-{g2[0]}"
                if en.lower() not in seen:
                    break
            else:
                en = f"{en} {i}"
            ko = (
                f"{family[1]}{g1[1]}{g2[1]}"
                if not en[-1].isdigit()
                else f"{family[1]}{g1[1]}{g2[1]} {i}"
            )
            if ko in seen:
                ko = f"{ko} ({i})"
            seen.update((en.lower(), ko))
            org = rng.randrange(len(self.orgs))
            self.people.append(Person(f"person-{i}", en, ko, org, rng.randrange(len(ROLES))))
            self.orgs[org].staff.append(i)
        self.org_weights = _cum_weights(len(self.orgs))
        self.person_weights = _cum_weights(len(self.people))

    # -- one article -------------------------------------------------------------------------

    def article(self, index: int) -> dict[str, Any]:
        """Fact file ``index`` as a YAML-ready mapping, and what it mentions (under ``_``)."""
        return _Article(self, index).build()


class _Article:
    def __init__(self, world: World, index: int) -> None:
        self.w = world
        self.rng = random.Random(f"article:{world.seed}:{index}")
        self.index = index
        self.entities: dict[str, dict[str, Any]] = {}
        self.facts: list[dict[str, Any]] = []
        self.mentions: dict[str, list[str]] = {"parties": [], "participants": []}

    # entities, defined once per article
    def org(self, i: int) -> str:
        o = self.w.orgs[i]
        if o.id not in self.entities:
            ent: dict[str, Any] = {
                "id": o.id,
                "type": "Organization",
                "name": {"en": o.en, "ko": o.ko},
            }
            if o.parent is not None:
                ent["part_of"] = self.org(o.parent)
            ent["based_in"] = o.country
            if self.rng.random() < 0.3:
                ent["aliases"] = {"en": [o.en.upper()]}
            self.entities[o.id] = ent
        return o.id

    def person(self, i: int) -> str:
        p = self.w.people[i]
        if p.id not in self.entities:
            self.entities[p.id] = {"id": p.id, "type": "Person", "name": {"en": p.en, "ko": p.ko}}
        return p.id

    def topic(self) -> tuple[str, str]:
        t = self.rng.choice(TOPICS)
        if t[0] not in self.entities:
            self.entities[t[0]] = {"id": t[0], "type": "Topic", "name": {"en": t[1], "ko": t[2]}}
        return t[0], t[2]

    def role(self, i: int) -> str:
        r = ROLES[i]
        if r[0] not in self.entities:
            ent: dict[str, Any] = {"id": r[0], "type": "Role", "name": {"en": r[1], "ko": r[2]}}
            if r[3]:
                ent["aliases"] = {"en": [r[3]]}
            self.entities[r[0]] = ent
        return r[0]

    def pick_org(self, *not_: int) -> int:
        while True:
            i = self.rng.choices(range(len(self.w.orgs)), cum_weights=self.w.org_weights)[0]
            if i not in not_:
                return i

    def staff_of(self, org: int) -> int:
        staff = self.w.orgs[org].staff
        if staff and self.rng.random() < 0.8:
            return staff[min(len(staff) - 1, int(self.rng.expovariate(0.7)))]
        return self.rng.choices(range(len(self.w.people)), cum_weights=self.w.person_weights)[0]

    def ko(self, entity_id: str) -> str:
        return self.entities[entity_id]["name"]["ko"]

    def build(self) -> dict[str, Any]:
        rng, w = self.rng, self.w
        day = self.index // 3
        year, month, dom = 2015 + (day // 336) % 11, 1 + (day // 28) % 12, 1 + day % 28
        date = f"{year}-{month:02d}-{dom:02d}"
        art_id = f"bench-{date}-{self.index:07d}"
        pub = rng.choice(PUBLISHERS)
        a, b = self.pick_org(), 0
        b = self.pick_org(a)
        orgs = [a, b] + ([self.pick_org(a, b)] if rng.random() < 0.4 else [])
        ids = [self.org(i) for i in orgs]
        people = sorted({self.staff_of(i) for i in orgs for _ in range(rng.choice((1, 2)))})
        while len(people) < 2:
            people = sorted({*people, self.staff_of(b)})
        pids = [self.person(i) for i in people]
        topic, topic_ko = self.topic()
        headline_ko = f"{self.ko(ids[0])}·{self.ko(ids[1])}, {topic_ko} 협력 논의"
        for i in people:
            p = w.people[i]
            org_id, role_id = self.org(p.org), self.role(p.role)
            fact = {
                "id": f"post-{p.id}-{art_id}",
                "type": "Post",
                "person": p.id,
                "organization": org_id,
                "role": role_id,
            }
            if rng.random() < 0.3:
                fact["start"] = str(year - rng.randrange(6))
            if rng.random() < 0.05:
                fact["former"] = True
            fact["quote"] = f"{self.ko(org_id)} {ROLES[p.role][2]}인 {p.ko}은 이날 행사에 참석했다."
            self.facts.append(fact)
        country = w.countries[rng.randrange(len(w.countries))]
        place = self.place_for(a, country)
        meeting: dict[str, Any] = {
            "id": f"meeting-{art_id}",
            "type": "Meeting",
            "name": {
                "en": f"{w.orgs[a].en} and {w.orgs[b].en} executives meet",
                "ko": f"{self.ko(ids[0])}·{self.ko(ids[1])} 경영진 회동",
            },
            "date": date,
            "place": place,
            "participants": pids,
            "topics": [topic],
            "quote": f"{'·'.join(self.ko(p) for p in pids)}는 {month}월 {dom}일 {country.ko}에서 "
            f"만나 {topic_ko} 분야 협력 방안을 논의했다.",
        }
        if rng.random() < 0.2:
            meeting["unnamed_participants"] = {"en": "interpreter", "ko": "통역사"}
        self.mentions["participants"] = pids
        self.facts.append(meeting)
        if rng.random() < 0.7:
            self.agreement(art_id, ids, pids, date, country, topic, topic_ko)
        if rng.random() < 0.5:
            regions = rng.sample(w.regions, rng.choice((1, 2, 3)))
            self.facts.append(
                {
                    "id": f"cooperation-{art_id}",
                    "type": "Cooperation",
                    "name": {
                        "en": f"{w.orgs[a].en}-{w.orgs[b].en} cooperation",
                        "ko": f"{self.ko(ids[0])}·{self.ko(ids[1])} 사업협력",
                    },
                    "parties": ids[:2],
                    "topics": [topic],
                    "places": [r.id for r in regions],
                    "status": rng.choice(STATUSES),
                    "date": date,
                    "quote": f"양사의 {topic_ko} 사업협력은 "
                    f"{', '.join(r.ko for r in regions)} 등으로 "
                    f"본격 전개될 전망이다.",
                }
            )
            self.mentions["parties"] += ids[:2]
        if rng.random() < 0.6:
            self.expansion(art_id, a, b, date, topic, topic_ko)
        if rng.random() < 0.3:
            speaker = w.people[people[0]]
            self.facts.append(
                {
                    "id": f"remark-{art_id}",
                    "type": "Remark",
                    "name": {"en": f"{speaker.en} on {topic}", "ko": f"{speaker.ko} 발언"},
                    "speaker": speaker.id,
                    "speaker_organization": self.org(speaker.org),
                    "date": date,
                    "about": [ids[0], topic],
                    "saying": f"{topic_ko} 분야에서 글로벌 파트너들과 협력을 확대하겠다",
                    "quote": f'{speaker.ko}은 "{topic_ko} 분야에서 글로벌 파트너들과 '
                    '협력을 확대하겠다"고 말했다.',
                }
            )
        if rng.random() < 0.03 and len(pids) > 1:
            rel = rng.choice(RELATIONS)
            self.facts.append(
                {
                    "id": f"kinship-{art_id}",
                    "type": "Kinship",
                    "person": pids[0],
                    "relative": pids[1],
                    "relation": rel,
                    "quote": f"{self.ko(pids[0])}은 {self.ko(pids[1])}의 {rel['ko']}인 "
                    "것으로 알려졌다.",
                }
            )
        doc: dict[str, Any] = {
            "format": "event-kb/1",
            "article": {
                "id": art_id,
                "headline": {
                    "ko": headline_ko,
                    "en": f"{w.orgs[a].en} and {w.orgs[b].en} discuss {topic} cooperation",
                },
                "publisher": {"en": pub[0], "ko": pub[1]},
                "published": f"{date}T{8 + rng.randrange(10):02d}:{rng.randrange(60):02d}:00+09:00",
                "language": "ko",
                "url": f"https://news.example/{year}/{month:02d}/{dom:02d}/{self.index}",
            },
            "entities": list(self.entities.values()),
            "facts": self.facts,
            "_": self.mentions,
        }
        return doc

    def place_for(self, org: int, country: Place) -> str:
        if self.rng.random() < 0.2:
            o = self.w.orgs[org]
            site = f"site-{o.id}-office-{country.id}"
            if site not in self.entities:
                self.entities[site] = {
                    "id": site,
                    "type": "Site",
                    "name": {
                        "en": f"{o.en} office in {country.en}",
                        "ko": f"{o.ko} {country.ko} 오피스",
                    },
                    "within": country.id,
                    "operator": self.org(org),
                }
            return site
        return country.id

    def agreement(
        self,
        art_id: str,
        ids: list[str],
        pids: list[str],
        date: str,
        country: Place,
        topic: str,
        topic_ko: str,
    ) -> None:
        rng = self.rng
        kind = rng.choice(KINDS)
        purposes = []
        for n in range(rng.choice((1, 2, 3))):
            step: dict[str, Any] = {
                "description": {
                    "en": f"Step {n + 1}: joint work on {topic}",
                    "ko": f"{n + 1}단계: {topic_ko} 공동 개발",
                },
                "topics": [topic],
            }
            if rng.random() < 0.3:
                step["deadline"] = str(int(date[:4]) + 1 + n)
            purposes.append(step)
        self.facts.append(
            {
                "id": f"agreement-{art_id}",
                "type": "Agreement",
                "kind": kind,
                "name": {
                    "en": f"{' - '.join(self.entities[i]['name']['en'] for i in ids)} {kind}",
                    "ko": f"{'·'.join(self.ko(i) for i in ids)} 업무 협약",
                },
                "parties": ids,
                "date": date,
                "place": country.id,
                "present": pids[: rng.choice((1, 2))],
                "topics": [topic],
                "purposes": purposes,
                "quote": f"{'·'.join(self.ko(i) for i in ids)}는 {country.ko}에서 {topic_ko} 분야 "
                f"협력을 위한 업무 협약을 체결했다.",
            }
        )
        self.mentions["parties"] += ids

    def expansion(self, art_id: str, a: int, b: int, date: str, topic: str, topic_ko: str) -> None:
        rng, w = self.rng, self.w
        into = [w.countries[rng.randrange(len(w.countries))]]
        if rng.random() < 0.5:
            into.append(rng.choice(w.regions))
        into = list({p.id: p for p in into}.values())
        org = self.org(a)
        self.facts.append(
            {
                "id": f"expansion-{art_id}",
                "type": "Expansion",
                "name": {
                    "en": f"{w.orgs[a].en} expands into {', '.join(p.en for p in into)}",
                    "ko": f"{self.ko(org)} {'·'.join(p.ko for p in into)} 진출",
                },
                "organization": org,
                "into": [p.id for p in into],
                "present_in": [w.orgs[a].country],
                "areas": [topic],
                "partners": [self.org(b)],
                "status": rng.choice(STATUSES),
                "date": date,
                "quote": f"{self.ko(org)}는 {self.ko(self.org(b))}와 함께 "
                f"{'·'.join(p.ko for p in into)} {topic_ko} 시장 진출을 추진한다.",
            }
        )
        self.mentions["parties"] += [org, self.org(b)]


def render(world: World, index: int) -> tuple[str, bytes, bytes, int, dict[str, list[str]]]:
    """Article ``index``: (file name, YAML, N-Quads, quad count, what it mentions)."""
    doc = world.article(index)
    mentions = doc.pop("_")
    name = f"{index:07d}.yaml"
    text = yaml.dump(doc, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=10_000)
    data = text.encode("utf-8")
    planned, graphs = plan_file(name, _gazetteer_types, data=data)
    out = io.BytesIO()
    quads = [q for g, qs in graphs.items() for q in article_content(g, qs, planned.entities)[0]]
    quads += entity_quads(records_in(quads))  # what the KB asserts in ekg:entities
    serialize(quads, out, RdfFormat.N_QUADS)
    return name, data, out.getvalue(), len(quads), mentions


_WORLD: World | None = None


def _init(seed: int, target: int) -> None:
    global _WORLD
    _WORLD = World(seed, target)


def _render_chunk(indices: range) -> list[tuple[str, bytes, bytes, int, dict[str, list[str]]]]:
    assert _WORLD is not None
    return [render(_WORLD, i) for i in indices]


@dataclass
class Generated:
    """Where one generated data set lives and what a benchmark asks of it."""

    folder: Path
    seed: int
    target: int
    articles: int
    quads: int
    params: dict[str, str]

    @property
    def facts(self) -> Path:
        return self.folder / "facts"

    @property
    def nquads(self) -> Path:
        return self.folder / "data.nq"

    def fact_files(self) -> list[Path]:
        return sorted(self.facts.glob("*.yaml"))


def generate(folder: Path, target: int, seed: int = 1, processes: int = 1) -> Generated:
    """Write articles until they hold at least ``target`` quads; reuse a finished earlier run."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta["seed"] == seed and meta["target"] == target:
            return Generated(folder, seed, target, meta["articles"], meta["quads"], meta["params"])
    facts = folder / "facts"
    facts.mkdir(parents=True, exist_ok=True)
    for old in facts.glob("*.yaml"):
        old.unlink()
    world = World(seed, target)
    parties: Counter[str] = Counter()
    participants: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    total = articles = 0
    with open(folder / "data.nq", "wb") as nq:
        for name, data, nquads, count, mentions in _rendered(world, seed, target, processes):
            (facts / name).write_bytes(data)
            nq.write(nquads)
            total += count
            articles += 1
            parties.update(mentions["parties"])
            people = sorted(mentions["participants"])
            participants.update(people)
            pairs.update((p, q) for i, p in enumerate(people) for q in people[i + 1 :])
            if total >= target:
                break
    params = _parameters(world, parties, participants, pairs)
    meta = {"seed": seed, "target": target, "articles": articles, "quads": total, "params": params}
    manifest.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    return Generated(folder, seed, target, articles, total, params)


def _rendered(
    world: World, seed: int, target: int, processes: int
) -> Iterator[tuple[str, bytes, bytes, int, dict[str, list[str]]]]:
    chunk = 200
    limit = 10 * max(10, target // 50)  # far more articles than any target needs
    if processes <= 1:
        for i in range(limit):
            yield render(world, i)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(processes, _init, (seed, target)) as pool:
        ranges = (range(s, s + chunk) for s in range(0, limit, chunk))
        for batch in pool.imap(_render_chunk, ranges):
            yield from batch
        pool.terminate()


POPULARITY_RANK = 10
"""Queries ask about the organization and person mentioned the 11th most often: popular, as
the entities people ask about are, without being the single busiest one."""


def _parameters(
    world: World,
    parties: Counter[str],
    participants: Counter[str],
    pairs: Counter[tuple[str, str]],
) -> dict[str, str]:
    orgs = {o.id: o for o in world.orgs}
    people = {p.id: p for p in world.people}
    ranked_orgs = [o for o, _ in sorted(parties.items(), key=lambda kv: (-kv[1], kv[0]))]
    ranked_people = [p for p, _ in sorted(participants.items(), key=lambda kv: (-kv[1], kv[0]))]
    org = orgs[ranked_orgs[min(POPULARITY_RANK, len(ranked_orgs) - 1)]]
    person = people[ranked_people[min(POPULARITY_RANK, len(ranked_people) - 1)]]
    met = sorted(
        ((n, q if p == person.id else p) for (p, q), n in pairs.items() if person.id in (p, q)),
        key=lambda nq: (-nq[0], nq[1]),
    )
    other = people[met[0][1]] if met else person
    return {"org": org.en, "person": person.en, "other": other.en}
