"""A name typed by a user finds its entity however it is spaced, punctuated, cased or
Unicode-encoded (loaders/names.py ``normalise``), through the Python API, ``kb ask`` and
``GET /ask``; and a name that differs in its letters finds nothing.

Each variant below is written so that it meets the stored key only through the step of the
normaliser it is named after: "NaverCloud" is neither the label "Naver Cloud" nor the id
"naver-cloud" until spaces and punctuation go; a decomposed (NFD) 네이버 is six conjoining
jamo, other code points than the label's three syllables, until NFKC composes them.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KB, ParameterError
from kb.cli import cli
from kb.names import normalise
from kb.namespaces import EKR
from tests.test_server import get, serving

NAVER_CLOUD = EKR + "naver-cloud"
NAVER = EKR + "naver"


def full_width(text: str) -> str:
    """ASCII letters as their full-width forms (U+FF21...), spaces as ideographic spaces."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c
        for c in text
    )


# (variant, the entity it must find): spacing, punctuation, case, Unicode forms
VARIANTS = {
    "spaces-removed": ("NaverCloud", NAVER_CLOUD),
    "spaces-doubled-and-around": ("  Naver   Cloud  ", NAVER_CLOUD),
    "tab-and-newline": ("Naver\t\nCloud", NAVER_CLOUD),
    "no-break-space": ("Naver\u00a0Cloud", NAVER_CLOUD),
    "korean-spacing": ("네이버클라 우드", NAVER_CLOUD),
    "korean-no-spacing": ("네 이 버 클 라 우 드", NAVER_CLOUD),
    "full-stop": ("Naver.Cloud", NAVER_CLOUD),
    "underscore": ("naver_cloud", NAVER_CLOUD),
    "middle-dot": ("네이버·클라우드", NAVER_CLOUD),
    "brackets-and-quotes": ("'(Naver Cloud)'", NAVER_CLOUD),
    "upper-case": ("NAVER CLOUD", NAVER_CLOUD),
    "mixed-case": ("nAvEr cLoUd", NAVER_CLOUD),
    "alias-upper-case": ("NAVER CORP.", NAVER),
    # NFKC: full-width Latin and an ideographic space are compatibility forms
    "nfkc-full-width-latin": (full_width("Naver Cloud"), NAVER_CLOUD),
    "nfkc-full-width-upper-case": (full_width("NAVER CLOUD"), NAVER_CLOUD),
    "nfc": (unicodedata.normalize("NFC", "네이버"), NAVER),
    "nfd-conjoining-jamo": (unicodedata.normalize("NFD", "네이버"), NAVER),
    "nfkd": (unicodedata.normalize("NFKD", "네이버클라우드"), NAVER_CLOUD),
    "jamo-spelled-out": ("\u1102\u1166\u110b\u1175\u1107\u1165", NAVER),
    "compatibility-jamo": ("ㄴㅔㅇㅣㅂㅓ", NAVER),
}
IDS = list(VARIANTS)


def test_the_variants_are_not_the_stored_names() -> None:
    # a variant equal to a label, alias or id would test nothing (but the NFC one, which is
    # the labels' own form)
    stored = {"Naver Cloud", "네이버클라우드", "네이버 클라우드", "naver-cloud", "Naver", "네이버"}
    stored |= {"naver", "NAVER Corp.", "Naver Corporation"}
    assert {v for n, (v, _) in VARIANTS.items() if n != "nfc"} & stored == set()
    assert [hex(ord(c)) for c in VARIANTS["nfd-conjoining-jamo"][0]] == [
        "0x1102",
        "0x1166",
        "0x110b",
        "0x1175",
        "0x1107",
        "0x1165",
    ]


@pytest.mark.parametrize("name", IDS)
def test_resolve_through_the_api(seed_kb: KB, name: str) -> None:
    variant, entity = VARIANTS[name]
    assert seed_kb.resolve(variant, "Organization").value == entity


@pytest.mark.parametrize(
    "name",
    [
        "Naver Clouds",
        "Naver Cl0ud",
        "네이버클라우두",
        "Nave Cloud",
        "ㄴㅔㅇㅣㅂ",
        "Naver Cloud Korea",
    ],
)
def test_a_name_with_other_letters_finds_nothing(seed_kb: KB, name: str) -> None:
    with pytest.raises(ParameterError, match="nothing in the KB is called"):
        seed_kb.resolve(name, "Organization")


@pytest.mark.parametrize("name", ["", "   ", "-·-", "\u00a0"])
def test_a_name_of_only_spaces_and_punctuation_is_refused(seed_kb: KB, name: str) -> None:
    with pytest.raises(ParameterError, match="is not a name"):
        seed_kb.resolve(name, "Organization")


def test_the_normaliser_keeps_letters_of_every_script() -> None:
    assert normalise("Naver Cloud") == "navercloud"
    assert normalise("네이버 클라우드") == "네이버클라우드"
    assert normalise(full_width("Naver")) == "naver"
    assert full_width("Na v") == "\uff2e\uff41\u3000\uff56"
    assert normalise("ﾈｲﾊﾞｰ") == normalise("ネイバー")  # half-width katakana
    assert normalise("Straße") == normalise("STRASSE")  # case folding, not lower()


PEOPLE_OF_NAVER_CLOUD = {"Kim Yu-won"}


@pytest.mark.parametrize("name", [n for n in IDS if VARIANTS[n][1] == NAVER_CLOUD])
def test_kb_ask_finds_the_entity(seeded_store: Path, name: str) -> None:
    variant, _ = VARIANTS[name]
    result = CliRunner().invoke(
        cli, ["--store", str(seeded_store), "ask", "people", "--org", variant, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    assert {r["personName"]["value"] for r in rows} == PEOPLE_OF_NAVER_CLOUD
    assert {r["unit"]["value"] for r in rows} == {"Naver Cloud"}


def test_kb_ask_with_other_letters_says_so(seeded_store: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--store", str(seeded_store), "ask", "people", "--org", "Naver Clouds"]
    )
    assert result.exit_code == 1
    assert result.output == (  # found through the hint only, never as the answer
        "Error: --org: nothing in the KB is called 'Naver Clouds'; did you mean Naver Cloud "
        "(ekr:naver-cloud)?\n"
    )


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("names") / "store"
    KB(store).close()
    return store


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving(workers=1) as (url, _):  # a seeded store in memory
        yield url


@pytest.mark.parametrize("name", IDS)
def test_get_ask_finds_the_entity(endpoint: str, name: str) -> None:
    variant, entity = VARIANTS[name]
    query = urllib.parse.urlencode({"name": variant})
    status, _, body = get(
        f"{endpoint}/ask/entity?{query}", Accept="application/sparql-results+json"
    )
    assert status == 200, body
    bindings = json.loads(body)["results"]["bindings"]
    ids = [b["value"]["value"] for b in bindings if b["property"]["value"] == "id"]
    assert ids == [entity]  # the id the name resolved to, as the answer's own row
