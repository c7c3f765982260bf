"""Step 2, sentences: Korean by kiwipiepy, English by rules. Quotes are these sentences.

Each line of the article text is a paragraph; sentences never cross one. Korean sentences
carry kiwipiepy's tokens (form, part-of-speech tag, offset), which the later steps use to
tell a name from its particle. Photo credits glued to a caption (``…의장./사진=네이버
제공``) are cut off, so the caption is a sentence of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kb.draft.errors import MissingExtra


@dataclass(frozen=True)
class Token:
    form: str
    tag: str
    start: int  # offset in the sentence
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass
class Sentence:
    index: int
    paragraph: int
    text: str
    tokens: list[Token] = field(default_factory=list)

    @property
    def quote(self) -> str:
        """The sentence as a fact file quotes it: verbatim, whitespace runs as one space."""
        return " ".join(self.text.split())


@cache
def kiwi() -> Any:
    """The Korean analyser, loaded once per process (about 1 s and 300 MB)."""
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        raise MissingExtra("kiwipiepy") from None
    try:
        return Kiwi()
    except Exception as err:  # kiwipiepy-model missing: Kiwi() cannot find its model
        raise MissingExtra(f"kiwipiepy-model ({err})") from None


_CREDIT = re.compile(r"/?\s*\(?(?:사진|그래픽|자료|영상)\s*=\s*[^)\s]{1,20}(?:\s*제공)?\)?")
_EN_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st inc corp co ltd no vs u.s u.k e.g i.e jan feb mar apr jun "
    "jul aug sep sept oct nov dec gov sen rep gen lt col".split()
)


def split(text: str, language: str) -> list[Sentence]:
    """The sentences of ``text`` (one paragraph a line), in order."""
    sentences: list[Sentence] = []
    for paragraph, line in enumerate(p for p in text.split("\n") if p.strip()):
        pieces = split_korean(line) if language == "ko" else split_english(line)
        for piece, tokens in pieces:
            sentences.append(Sentence(len(sentences), paragraph, piece, tokens))
    return sentences


def split_korean(line: str) -> list[tuple[str, list[Token]]]:
    out = []
    line = _CREDIT.sub(lambda m: " " * len(m[0]), line)  # blanked: offsets stay the same
    for sent in kiwi().split_into_sents(line, return_tokens=True):
        piece = line[sent.start : sent.end].rstrip()
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if not piece:
            continue
        tokens = [
            Token(t.form, t.tag, t.start - sent.start - lead, t.len)
            for t in sent.tokens
            if 0 <= t.start - sent.start - lead < len(piece)
        ]
        out.append((piece, tokens))
    return out


def split_english(line: str) -> list[tuple[str, list[Token]]]:
    out = []
    start = 0
    for match in _EN_END.finditer(line):
        end = match.end()
        candidate = line[start:end].strip()
        last_word = candidate.rstrip("\"”’')]").rstrip(".!?").split()[-1:] or [""]
        word = last_word[0].lower().strip('("“')
        if word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
            continue
        out.append((candidate, []))
        start = end
    rest = line[start:].strip()
    if rest:
        out.append((rest, []))
    return out
