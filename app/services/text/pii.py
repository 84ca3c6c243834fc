"""Finding likely personal data in a text, for moderators to redact. A heuristic: it
marks what to look at, it never changes the text itself."""
from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)),
    ("phone", re.compile(r"(?<![\w])\+?\d[\d\s().\-]{6,}\d(?![\w])")),
    ("id_number", re.compile(r"(?<![\w])[A-Z]{0,3}\d{6,}[A-Z]?(?![\w])")),
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def find(text: str) -> list[Span]:
    """Non-overlapping spans of likely personal data, in text order. Earlier patterns win
    (an email's digits are not also a phone number)."""
    spans: list[Span] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text or ""):
            start, end = match.span()
            if kind == "phone" and sum(ch.isdigit() for ch in match.group()) < 8:
                continue
            if any(s.start < end and start < s.end for s in spans):
                continue
            spans.append(Span(start, end, kind))
    return sorted(spans, key=lambda s: s.start)
