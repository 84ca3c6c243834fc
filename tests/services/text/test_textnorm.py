"""Text folding shared by search, suggested tags and campaign folding."""
from __future__ import annotations

import pytest

from app.services.text.textnorm import cjk_grams, has_cjk, normalize, words


@pytest.mark.parametrize("typed, plain", [
    ("الخُصُوصِيَّة", "الخصوصيه"),          # diacritics and taa marbuta
    ("الخصوصية", "الخصوصيه"),
    ("إنترنت", "انترنت"),                  # hamza under alef
    ("أمن", "امن"),                        # hamza over alef
    ("آمن", "امن"),                        # madda
    ("مسؤولية", "مسووليه"),                # hamza on waw
    ("مستوى", "مستوي"),                    # alef maqsura
    ("تـــكنولوجيا", "تكنولوجيا"),         # tatweel
    ("Société CIVILE", "societe civile"),
    ("Ｅｄｕｃａｃｉóｎ", "educacion"),       # full-width, accent
    ("Ёлка и Йод", "елка и иод"),
    ("  many\n\tspaces  ", "many spaces"),
    ("pri\u200bva\u00adcy\u2060 da\ufeffta", "privacy data"),   # zero-width, soft hyphen
    ("\u0627\u0644\u062e\u0635\u200c\u0648\u0635\u200d\u064a\u0629", "الخصوصيه"),
    ("\u200fمرحبا\u2066 ok\u2069", "مرحبا ok"),                  # marks and isolates
    ("\u2764\ufe0f data\U000e0100", "\u2764 data"),               # variation selectors
])
def test_normalize_folds_what_people_mix_up(typed, plain):
    assert normalize(typed) == plain


def test_normalize_keeps_chinese_and_empty():
    assert normalize("人工智能治理") == "人工智能治理"
    assert normalize("") == ""


def test_cjk_grams_and_words():
    assert cjk_grams("我们需要人工智能") == ["我们", "们需", "需要", "要人", "人工", "工智", "智能"]
    assert cjk_grams("AI 与 人") == ["与", "人"]
    assert has_cjk("数据 data") and not has_cjk("data")
    assert words(normalize("Digital-Cooperation, now!")) == ["digital", "cooperation", "now"]
