"""Text folded for matching, the same way everywhere: search, suggested tags, campaign folding.

A word must match however it was typed: Arabic with or without hamza, diacritics or tatweel;
Latin, Greek or Cyrillic with or without accents; full-width or half-width forms; any case.
Chinese, Japanese and Korean are not segmented into words: `cjk_grams` gives the character
bigrams that stand in for words there.
"""
from __future__ import annotations

import re
import unicodedata

from app.security import STORED_INVISIBLE

# Arabic: hamza carriers and alef variants become the bare letter, taa marbuta becomes haa,
# alef maqsura becomes yaa (the spellings people actually mix up when typing).
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك",
    "ـ": None,  # tatweel, a stretching stroke with no meaning
    "ء": None,  # a lone hamza is as often left out as typed
})
# Harakat, tanwin, shadda, sukun, superscript alef and Quranic marks.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_WORD = re.compile(r"\w+")
# Every invisible format character, for matching: what stored text may still hold (ZWNJ,
# ZWJ, the marks LRM/RLM/ALM, bidi isolates and embeddings, the combining grapheme joiner)
# and what older rows stored before clean_text dropped the rest.
_INVISIBLE = re.compile(f"[{STORED_INVISIBLE}\u034f\u061c\u200c-\u200f\u202a-\u202e"
                        "\u2066-\u2069]")


def _strip_marks(text: str) -> str:
    """Drop combining marks (accents) but keep letters that need them to exist at all.

    NFKD then dropping category Mn folds é→e, ñ→n, й→и, ё→е; Devanagari or Thai vowel signs
    are Mn too, but they are not in the six languages and survive as their base letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def normalize(text: str) -> str:
    """Fold `text` for matching: invisible characters dropped, NFKC, case-folded, Arabic
    and accents folded, one space."""
    if not text:
        return ""
    if not text.isascii():  # every invisible character is outside ASCII
        text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = _strip_marks(text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The words of already-normalized text (CJK runs come back whole: see `cjk_grams`)."""
    return _WORD.findall(text)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def cjk_grams(text: str) -> list[str]:
    """Character bigrams of each CJK run (a lone character stands for itself)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def normalize_email(email: str) -> str:
    """An address as accounts store and compare it: printable, NFKC, trimmed, lower case."""
    # Control characters never belong to an address (and PostgreSQL refuses NUL).
    email = "".join(ch for ch in (email or "") if ch.isprintable())
    return unicodedata.normalize("NFKC", email).strip().lower()
