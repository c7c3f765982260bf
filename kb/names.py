"""How a name typed by a user meets the names in the KB: one normalisation for both sides.

The loader stores one ``ek:lookupKey`` per label, alias and id (``loaders.names``), and a
name given to ``kb ask`` is normalised the same way before it is looked up, so "Naver
Cloud", "naver-cloud", "NAVER CLOUD" and "네이버 클라우드" meet: Unicode NFKC, case-folded,
with spaces and punctuation removed.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """The lookup key of a name.

    >>> normalise("Naver Cloud") == normalise("naver-cloud") == normalise(" NAVER  cloud ")
    True
    >>> normalise("네이버 클라우드") == normalise("네이버클라우드")
    True
    """
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())
