"""Which of the six UN languages a text is written in, read from the text itself (issue #8).

py3langid ships its model inside the package: nothing is downloaded at run time. The model is
loaded once per process, on first use (about half a second), and restricted to the six UN
languages so that it never answers, say, Dutch. A text too short or too ambiguous to tell
gets None rather than a guess. Only the first `SAMPLE` characters are read: that keeps the
cost flat (about 0.1 ms) however long the submission is.
"""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import and_, or_

from app.models import Submission

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
SAMPLE = 600
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.8

_identifier: Any = None
_lock = threading.Lock()


def _model() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(UN_LANGUAGES))
                _identifier = identifier
    return _identifier


def detect(*texts: str | None) -> str | None:
    """The language of the joined `texts` (e.g. title and body), or None when unsure."""
    sample = " ".join(t for t in texts if t)[:SAMPLE]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        # Chinese says a lot in few characters: four ideographs are already a phrase.
        if not any("\u4e00" <= ch <= "\u9fff" for ch in sample) or len(sample.strip()) < 4:
            return None
    language, confidence = _model().classify(sample)
    return language if confidence >= MIN_CONFIDENCE and language in UN_LANGUAGES else None


def condition(detected: str) -> Any:
    """Queue filter: submissions detected as `detected` (a language code), or, for
    "differs", those whose detected language is not the declared one."""
    if detected == "differs":
        return and_(Submission.detected_language.is_not(None),
                    or_(Submission.language.is_(None),
                        Submission.detected_language != Submission.language))
    return Submission.detected_language == detected
