"""Suggested tags: the likely principles, commitments, technologies and themes of a
submission, each with a confidence and the words that triggered it. Never applied by
itself: a moderator accepts a suggestion or not, and the audit log records which.

Two sources, both computed on this machine:
- the keyword lexicon of the taxonomy (`app.services.assist.lexicon`): a term found in the text
  gives 55 % for one distinct term, 73 % for two, 84 % for three, and so on;
- a classifier trained from moderators' decisions (`train`): character n-gram TF-IDF on
  the folded text (analyzer "char_wb", 2 to 4 characters) and one logistic regression
  per code, one-vs-rest within each code group, stored in `suggest_models` for every node.
When both speak, the confidence is their noisy-or, 1 - (1 - lexicon) (1 - classifier):
either source alone can propose a code, and agreement raises it.

scikit-learn and numpy are imported only to train or to score with a model, so that
workers that never suggest do not pay for them. Each process keeps the compiled lexicon
and the unpickled model in memory, keyed by what would change them (the lexicon's last
edit, the newest model's id, asked in one query per page), so a review page costs the
scoring alone.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import pickle  # nosec B403
import statistics
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from app import reference
from app.db import utcnow
from app.i18n import LANGUAGES
from app.i18n import lazy_gettext as _l
from app.models import (
    KIND_OF_GROUP,
    AuditEvent,
    ItemKind,
    LexiconEntry,
    Status,
    Submission,
    SubmissionTag,
    SuggestModel,
    TagSource,
    TaxonomyItem,
)
from app.services import DomainError
from app.services.platform import lexicon as lexicon_service
from app.services.platform.taxonomy import CODE_PATTERNS
from app.services.text.textnorm import has_cjk, normalize

log = logging.getLogger(__name__)

# A decision needs a principle and a commitment: these groups are always ranked in full.
REQUIRED = ("principles", "commitments")
SHOW_FROM = 0.3  # below this a suggestion is noise, or "low confidence" in REQUIRED groups
LOW_CAP = 0.25  # the highest confidence the taxonomy's own classifier alone can give
DECIDE_AT = 0.5  # at or above this a second code of a group counts as "predicted"
PER_GROUP = 5
MODEL_FORMAT = 2  # models stored before lexicon features and calibration are not used
# The blind evaluation set: written by someone who had not seen the lexicon or this code,
# never used to tune either. tests/data/suggest_dev.jsonl is the set the lexicon was tuned
# on (its figures flatter the lexicon; use it to try a change, then measure on this one).
EVAL_FILE = (Path(__file__).resolve().parents[3] / "tests" / "data"
             / "suggest_eval_blind.jsonl")
MIN_SAMPLES = 10
KEEP_MODELS = 3
MAX_FEATURES = 30000
LEXICON_WEIGHT = 0.5  # a keyword hit as a feature, next to L2-normalized n-gram weights
TEXT_MAX = 20000  # characters scored: a very long view is judged on its beginning


class NotEnoughData(DomainError):
    pass


@dataclass
class Suggestion:
    code: str
    confidence: float
    evidence: list[str] = field(default_factory=list)
    source: str = "lexicon"  # "lexicon", "classifier", "both" or "prior"
    low: bool = False  # below SHOW_FROM: shown only to rank a required group

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 3),
                "evidence": list(self.evidence), "low_confidence": self.low}


def lexicon_confidence(distinct_terms: int) -> float:
    return 0.0 if distinct_terms <= 0 else 1 - 0.45 * 0.6 ** (distinct_terms - 1)


def submission_text(submission: Submission) -> str:
    if submission.erased_at is not None:
        return ""
    # The attachments' text after the contributor's own (a view that is only a file is
    # scored on the file).
    parts = (submission.title, submission.full_text, submission.attachment_text)
    return "\n".join(p for p in parts if p)[:TEXT_MAX]


# The per-process caches.

_lock = threading.Lock()
_lexicons: dict[int, tuple[tuple, lexicon_service.CompiledLexicon]] = {}
_priors: dict[int, tuple[tuple, Prior | None]] = {}
_model: dict[str, Any] = {"id": None, "model": None}


def _stamp(session: Session, strategy_version_id: int) -> tuple[Any, tuple]:
    """((newest model id, its time), what identifies the lexicon's state), in one round
    trip. The model's time goes with its id so that a process serving several databases
    (the tests) never takes one database's model for another's."""
    in_version = TaxonomyItem.strategy_version_id == strategy_version_id
    newest = select(SuggestModel.id).order_by(SuggestModel.id.desc()).limit(1)
    row = session.execute(select(
        newest.scalar_subquery(),
        select(SuggestModel.created_at).where(SuggestModel.id == newest.scalar_subquery())
        .scalar_subquery(),
        select(func.max(LexiconEntry.updated_at)).scalar_subquery(),
        select(func.count(LexiconEntry.item_id)).scalar_subquery(),
        select(func.count(TaxonomyItem.id)).where(in_version).scalar_subquery(),
        select(func.count(TaxonomyItem.retired_at)).where(in_version).scalar_subquery(),
    )).one()
    return (row[0], row[1]), tuple(row[2:])


def _items(session: Session, strategy_version_id: int) -> list[tuple]:
    """(code, kind, terms, labels, descriptions) of the active items of a version."""
    return [tuple(row) for row in session.execute(
        select(TaxonomyItem.code, TaxonomyItem.kind, LexiconEntry.terms, TaxonomyItem.labels,
               TaxonomyItem.descriptions)
        .outerjoin(LexiconEntry, LexiconEntry.item_id == TaxonomyItem.id)
        .where(TaxonomyItem.strategy_version_id == strategy_version_id,
               TaxonomyItem.retired_at.is_(None)))]


def compiled_lexicon(session: Session, strategy_version_id: int, key: tuple | None = None
                     ) -> lexicon_service.CompiledLexicon:
    """The active items of a strategy version and their terms, compiled once per change
    (`key`, from `_stamp`, says whether it changed)."""
    if key is None:
        key = _stamp(session, strategy_version_id)[1]
    cached = _lexicons.get(strategy_version_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    compiled = lexicon_service.compile_lexicon(
        [(code, kind, terms or {}) for code, kind, terms, _l, _d in
         _items(session, strategy_version_id)])
    with _lock:
        _lexicons[strategy_version_id] = (key, compiled)
    return compiled


def prior_samples(items: Iterable[tuple]) -> list[Sample]:
    """The taxonomy as examples, before any moderator has tagged anything: for each
    principle and commitment and each language, its label with its description, and its
    keywords. Texts of contributors are never among them."""
    samples = []
    for code, kind, terms, labels, descriptions in items:
        group = kind.group
        if group not in REQUIRED:
            continue
        for lang in LANGUAGES:
            text = ". ".join(part for part in ((labels or {}).get(lang),
                                               (descriptions or {}).get(lang)) if part)
            keywords = ", ".join(t.replace("*", "") for t in (terms or {}).get(lang, []))
            for example in (text, keywords):
                if example:
                    samples.append(Sample(example, {g: ({code} if g == group else set())
                                                    for g in KIND_OF_GROUP}))
    return samples


def prior_model(session: Session, strategy_version_id: int, key: tuple | None = None
                ) -> Prior | None:
    """The taxonomy's own classifier (`prior_samples`), built once per change of the
    taxonomy or its lexicon, per process (a few milliseconds, no scikit-learn)."""
    if key is None:
        key = _stamp(session, strategy_version_id)[1]
    cached = _priors.get(strategy_version_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    samples = prior_samples(_items(session, strategy_version_id))
    model = Prior.build(samples) if samples else None
    with _lock:
        _priors[strategy_version_id] = (key, model)
    return model


def _grams(word: str) -> list[str]:
    """Character 2- to 4-grams of a folded word padded with spaces (like scikit-learn's
    "char_wb"): they match across inflections, and across scripts without word breaks."""
    padded = f" {word} "
    return [padded[i:i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1)]


def _weights(words: list[str], idf: Mapping[str, float]) -> dict[str, float]:
    import math

    counts = Counter(gram for word in words for gram in _grams(word))
    vector = {gram: (1 + math.log(n)) * idf[gram] for gram, n in counts.items() if gram in idf}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {gram: v / norm for gram, v in vector.items()}


@dataclass
class Prior:
    """Nearest centroid over TF-IDF character n-grams: each principle and commitment is
    the mean of its examples (labels, descriptions and keywords in six languages), and a
    text is scored by its cosine with each. Plain Python on purpose: a worker that shows
    suggestions before any model is trained never imports scikit-learn for it."""

    idf: dict[str, float]
    centroids: dict[str, dict[str, float]]

    @classmethod
    def build(cls, samples: list[Sample]) -> Prior:
        import math

        docs = [normalize(s.text).split() for s in samples]
        df = Counter(gram for words in docs for gram in {g for w in words for g in _grams(w)})
        idf = {gram: math.log((1 + len(docs)) / (1 + n)) + 1 for gram, n in df.items()}
        sums: dict[str, Counter] = {}
        for sample, words in zip(samples, docs, strict=True):
            for code in (c for codes in sample.codes.values() for c in codes):
                sums.setdefault(code, Counter()).update(_weights(words, idf))
        centroids = {}
        for code, total in sums.items():
            norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
            centroids[code] = {gram: v / norm for gram, v in total.items()}
        return cls(idf, centroids)

    def scores(self, text: str, tokens: list[lexicon_service.Token]
               ) -> dict[str, tuple[float, list[str]]]:
        """{code: (cosine, the words of the text that weigh most for it)}."""
        words = [(token, min(token.forms, key=len)) for token in tokens]
        vector = _weights([form for _token, form in words] +
                          [w for w in normalize(text).split() if has_cjk(w)], self.idf)
        # Each word's n-grams that the text's vector holds, with their weight, worked out
        # once rather than once per code (the others add nothing to a word's weight).
        grams_of = [(token.surface, [(g, vector[g]) for g in _grams(form) if g in vector])
                    for token, form in words]
        found = {}
        for code, centroid in self.centroids.items():
            cosine = sum(v * centroid.get(gram, 0.0) for gram, v in vector.items())
            weight_of = {surface: sum(v * centroid.get(g, 0.0) for g, v in grams)
                         for surface, grams in grams_of}
            # Words of four letters or more: "not", "and" are close to every description.
            best = sorted((w for w in weight_of.items() if w[1] > 0 and len(w[0]) >= 4),
                          key=lambda w: -w[1])
            found[code] = (cosine, [surface for surface, _w in best[:2]])
        return found


def current_model(session: Session, newest: tuple | None = None) -> dict[str, Any] | None:
    """The newest trained model (`newest`: its id and time, from `_stamp`, when the caller
    has them), unpickled once per process."""
    if newest is None:
        row = session.execute(select(SuggestModel.id, SuggestModel.created_at)
                              .order_by(SuggestModel.id.desc()).limit(1)).first()
        newest = tuple(row) if row is not None else (None, None)
    model_id = newest[0]
    if model_id is None:
        return None
    if _model["id"] == tuple(newest):
        return _model["model"]
    data = session.scalar(select(SuggestModel.data).where(SuggestModel.id == model_id))
    try:
        # Safe to unpickle: only our own `train` writes these bytes, in our database.
        model = pickle.loads(data)  # noqa: S301 # nosec B301
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError,
            ValueError):
        log.exception("Suggested tags: model %s cannot be loaded; using the lexicon only",
                      model_id)
        model = None
    if model is not None and model.get("format") != MODEL_FORMAT:
        log.warning("Suggested tags: model %s predates this version; retrain it", model_id)
        model = None
    with _lock:
        _model.update(id=tuple(newest), model=model)
    return model


# Scoring.

def _lexicon_row(model: Mapping[str, Any], hits: Mapping[str, list[str]]) -> Any:
    """The lexicon's say as features: per code of the model, how many of its terms occur
    (at most 3)."""
    import numpy as np

    return np.array([[min(len(hits.get(code, ())), 3) for code in model["lexicon_codes"]]],
                    dtype=np.float32)


def _features(model: Mapping[str, Any], folded: list[str], hits: list[Mapping[str, list[str]]]
              ) -> Any:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    grams = model["vectorizer"].transform(folded)
    if not model["lexicon_codes"]:
        return grams.tocsr()
    lexicon = np.vstack([_lexicon_row(model, h) for h in hits]) * model["lexicon_weight"]
    return hstack([grams, csr_matrix(lexicon)], format="csr")


def _classifier_scores(model: Mapping[str, Any], folded: str,
                       hits: Mapping[str, list[str]]) -> tuple[Any, Any]:
    """(calibrated probabilities per model code, the text's feature row)."""
    import numpy as np

    row = _features(model, [folded], [hits])
    logits = np.asarray(row @ model["coef"].T).ravel() + model["intercept"]
    logits = logits * model["scale"] + model["shift"]
    return 1.0 / (1.0 + np.exp(-logits)), row


def _ngram_evidence(model: Mapping[str, Any], row: Any, index: int,
                    words: list[lexicon_service.Token], limit: int = 3) -> list[str]:
    """The words of the text holding the n-grams that weigh most for code `index`."""
    import numpy as np

    width = len(model["features"])
    if row.nnz == 0:
        return []
    keep = row.indices < width
    indices, data = row.indices[keep], row.data[keep]
    weights = data * model["coef"][index, indices]
    found: list[str] = []
    for position in np.argsort(-weights)[:limit * 3]:
        if weights[position] <= 0:
            break
        gram = str(model["features"][indices[position]]).strip()
        if len(gram) < 3:
            continue
        for token in words:
            if any(gram in form for form in token.forms) and token.surface not in found:
                found.append(token.surface)
                break
        if len(found) >= limit:
            break
    return found


def score(text: str, compiled: lexicon_service.CompiledLexicon,
          model: Mapping[str, Any] | None, *, prior: Prior | None = None,
          use_lexicon: bool = True, minimum: float = SHOW_FROM,
          per_group: int | None = PER_GROUP) -> dict[str, list[Suggestion]]:
    """Suggestions for `text` among the codes of `compiled` (the active items), best first.

    - The lexicon's hits come with `lexicon_confidence`.
    - A trained model (`model`) gives calibrated probabilities, which replace the
      lexicon's figure for the codes it knows (the lexicon's hits are among its features).
    - The principles and the commitments (`REQUIRED`: a decision needs one of each) are
      always ranked in full: a code neither source proposes is placed by the taxonomy's
      own classifier (`prior`, learnt from labels, descriptions and keywords), with a
      confidence below SHOW_FROM and marked low.
    """
    result: dict[str, list[Suggestion]] = {group: [] for group in KIND_OF_GROUP}
    if not text.strip():
        return result
    words = lexicon_service.tokens(text)
    hits = lexicon_service.match(compiled, text, words) if use_lexicon else {}
    found: dict[str, Suggestion] = {
        code: Suggestion(code, lexicon_confidence(len(evidence)), evidence)
        for code, evidence in hits.items()}
    folded = normalize(text)
    evidence_of: dict[str, tuple] = {}  # code -> (model, feature row, index), for evidence
    if model is not None:
        probabilities, row = _classifier_scores(model, folded, hits)
        for index, code in enumerate(model["codes"]):
            if code not in compiled.kinds:
                continue
            probability = float(probabilities[index])
            known = found.get(code)
            if known is not None:
                known.confidence = probability
                known.source = "both"
            else:
                found[code] = Suggestion(code, probability, [], "classifier")
                evidence_of[code] = (model, row, index)
    rank = {}  # the prior's probability: it breaks ties and places what nothing proposed
    required_kinds = {KIND_OF_GROUP[group] for group in REQUIRED}
    missing = any(kind in required_kinds and code not in found
                  for code, kind in compiled.kinds.items())
    tied = model is None and any(  # lexicon figures tie often; calibrated ones hardly
        a.confidence == b.confidence and a.code != b.code
        for a in found.values() for b in found.values())
    if prior is not None and (missing or tied):
        for code, (cosine, evidence) in prior.scores(text, words).items():
            if code not in compiled.kinds:
                continue
            rank[code] = cosine
            if code not in found:
                found[code] = Suggestion(code, LOW_CAP * cosine, evidence, "prior")
    for suggestion in found.values():
        kind = compiled.kinds.get(suggestion.code)
        group = kind.group if kind is not None else None
        if group is None:
            continue
        if suggestion.confidence >= minimum or group in REQUIRED:
            suggestion.low = suggestion.confidence < SHOW_FROM
            result[group].append(suggestion)
    for items in result.values():
        items.sort(key=lambda s: (-round(s.confidence, 6), -rank.get(s.code, 0.0), s.code))
        if per_group is not None:
            del items[per_group:]
        for suggestion in items:  # only for what is shown: the costly part of scoring
            if suggestion.code in evidence_of:
                suggestion.evidence = _ngram_evidence(*evidence_of[suggestion.code], words)
    return result


def strategy_version_of(submission: Submission) -> int:
    """The strategy version whose taxonomy a submission is tagged with: its round's, read
    from the rounds kept per process (app.reference), not by loading the round."""
    round_ = reference.get_round(submission.round_id)
    return (round_.strategy_version_id if round_ is not None
            else submission.round.strategy_version_id)


def suggestions(session: Session, submission: Submission, version_id: int | None = None
                ) -> dict[str, list[Suggestion]]:
    """The suggested tags of a submission, by code group (principles, commitments,
    technologies, themes), best first. Fast enough to compute on each review page.
    `version_id`: its strategy version, when the caller has it."""
    if version_id is None:
        version_id = strategy_version_of(submission)
    newest, key = _stamp(session, version_id)  # one query: did the lexicon or model change?
    compiled = compiled_lexicon(session, version_id, tuple(key))
    return score(submission_text(submission), compiled, current_model(session, tuple(newest)),
                 prior=prior_model(session, version_id, tuple(key)))


def as_json(found: Mapping[str, list[Suggestion]]) -> dict[str, list[dict[str, Any]]]:
    return {group: [s.as_dict() for s in found.get(group, [])] for group in KIND_OF_GROUP}


# Accepting suggestions in a decision.

def group_of_code(code: str) -> str | None:
    for kind in (ItemKind.THEME, ItemKind.PRINCIPLE, ItemKind.COMMITMENT, ItemKind.TECHNOLOGY):
        if CODE_PATTERNS[kind].fullmatch(code):
            return kind.group
    return None


@dataclass
class AcceptanceRow:
    group: str
    shown: int = 0
    accepted: int = 0
    tagged: int = 0  # shown and in the final tags, accepted with the control or not

    @property
    def rate(self) -> float:
        return self.accepted / self.shown if self.shown else 0.0

    @property
    def tagged_rate(self) -> float:
        return self.tagged / self.shown if self.shown else 0.0


def acceptance_rates(session: Session, since: dt.datetime) -> list[AcceptanceRow]:
    """Suggestions shown and accepted per code group, from the audit log of approvals
    since `since` (read in batches: constant memory however long the window)."""
    rows = {group: AcceptanceRow(group) for group in KIND_OF_GROUP}
    query = (select(AuditEvent.details, AuditEvent.after)
             .where(AuditEvent.action == "submission.approve", AuditEvent.at >= since)
             .execution_options(yield_per=2000))
    for details, after in session.execute(query):
        used = (details or {}).get("suggestions")
        if not isinstance(used, dict):
            continue
        final = (after or {}).get("tags") or {}
        for group, row in rows.items():
            shown = set((used.get("shown") or {}).get(group) or [])
            accepted = set((used.get("accepted") or {}).get(group) or [])
            row.shown += len(shown | accepted)
            row.accepted += len(accepted)
            row.tagged += len((shown | accepted) & set(final.get(group) or []))
    return list(rows.values())


# Training and evaluation.

@dataclass
class Sample:
    text: str
    codes: dict[str, set[str]]  # group -> codes


def training_samples(session: Session, limit: int = 20000) -> list[Sample]:
    """Approved submissions with moderator tags, newest first (at most `limit`)."""
    tagged = exists().where(SubmissionTag.submission_id == Submission.id,
                            SubmissionTag.source == TagSource.MODERATOR)
    query = (select(Submission)
             .options(selectinload(Submission.answers), selectinload(Submission.tags))
             .where(Submission.status == Status.APPROVED, Submission.erased_at.is_(None), tagged)
             .order_by(Submission.id.desc()).limit(limit))
    samples = []
    for submission in session.scalars(query):
        codes: dict[str, set[str]] = {group: set() for group in KIND_OF_GROUP}
        for tag in submission.tags:
            if tag.source == TagSource.MODERATOR:
                codes[tag.item.kind.group].add(tag.item.code)
        text = submission_text(submission)
        if text.strip():
            samples.append(Sample(text, codes))
    return samples


def fit(samples: list[Sample], compiled: lexicon_service.CompiledLexicon | None = None, *,
        calibrate: bool = True) -> dict[str, Any]:
    """Train the classifier: TF-IDF over character n-grams of the folded text, with the
    lexicon's hits of every code as extra features (`compiled`), then one logistic
    regression per code that has at least two positive and one negative example.

    With `calibrate`, each code's scores are mapped to probabilities by Platt scaling
    fitted on out-of-fold scores (3 folds), so that "70 %" means right about 7 times in 10
    on texts the model did not learn from."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts = [normalize(s.text) for s in samples]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                 min_df=2 if len(texts) >= 200 else 1,
                                 max_features=MAX_FEATURES, dtype=np.float32)
    vectorizer.fit(texts)
    lexicon_codes = sorted(compiled.kinds) if compiled is not None else []
    model: dict[str, Any] = {"format": MODEL_FORMAT, "vectorizer": vectorizer,
                             "lexicon_codes": lexicon_codes, "lexicon_weight": LEXICON_WEIGHT}
    hits = [lexicon_service.match(compiled, s.text) if compiled is not None else {}
            for s in samples]
    matrix = _features(model, texts, hits)
    counts = Counter(code for s in samples for codes in s.codes.values() for code in codes)

    def classifier() -> Any:
        # The dual form: far fewer texts than n-grams (ten times faster here).
        return LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear",
                                  dual=True, max_iter=1000)

    codes, coefficients, intercepts, scales, shifts = [], [], [], [], []
    for code in sorted(counts):
        labels = np.array([any(code in c for c in s.codes.values()) for s in samples])
        if labels.sum() < 2 or labels.all():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = classifier().fit(matrix, labels)
            scale, shift = 1.0, 0.0
            if calibrate and labels.sum() >= 3 and (~labels).sum() >= 3:
                # Platt scaling on scores of texts each fold did not learn from.
                scores = np.zeros(len(labels))
                folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
                for learn, held in folds.split(matrix, labels):
                    if labels[learn].all() or not labels[learn].any():
                        continue
                    scores[held] = classifier().fit(matrix[learn], labels[learn]) \
                        .decision_function(matrix[held])
                platt = LogisticRegression(C=1.0).fit(scores.reshape(-1, 1), labels)
                scale, shift = float(platt.coef_[0][0]), float(platt.intercept_[0])
        codes.append(code)
        coefficients.append(fitted.coef_[0].astype(np.float32))
        intercepts.append(float(fitted.intercept_[0]))
        scales.append(scale)
        shifts.append(shift)
    # A fitted TfidfVectorizer keeps every pruned n-gram in `stop_words_`: not needed to
    # transform, and it would make the stored model many times larger.
    vectorizer.stop_words_ = None
    features = vectorizer.get_feature_names_out()
    width = matrix.shape[1]
    model.update({
        "codes": codes,
        "coef": np.vstack(coefficients) if coefficients else np.zeros((0, width), np.float32),
        "intercept": np.array(intercepts, dtype=np.float32),
        "scale": np.array(scales, dtype=np.float32),
        "shift": np.array(shifts, dtype=np.float32),
        "features": features,
        "trained_on": len(samples),
    })
    return model


def _current_version_id(session: Session) -> int:
    from app.services.platform.taxonomy import current_version

    version = current_version(session)
    if version is None:
        raise NotEnoughData(_l("Load the taxonomy first."))
    return version.id


def train(session: Session, *, limit: int = 20000) -> SuggestModel:
    """Train on every approved, tagged submission and the taxonomy's own examples, store
    the model (keeping the previous few) and return it. No figure is measured here: a
    split of the few submissions tagged early on swings from run to run; `evaluate`
    measures on a labelled set with cross-validation instead."""
    samples = training_samples(session, limit)
    if len(samples) < MIN_SAMPLES:
        raise NotEnoughData(_l("At least %(num)d approved submissions with tags are needed; "
                               "there are %(have)d.", num=MIN_SAMPLES, have=len(samples)))
    version_id = _current_version_id(session)
    model = fit(samples + prior_samples(_items(session, version_id)),
                compiled_lexicon(session, version_id))
    buffer = io.BytesIO()
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    record = SuggestModel(created_at=utcnow(), trained_on=len(samples),
                          metrics={"codes": len(model["codes"]),
                                   "features": len(model["features"])},
                          data=buffer.getvalue())
    session.add(record)
    session.flush()
    keep = select(SuggestModel.id).order_by(SuggestModel.id.desc()).limit(KEEP_MODELS)
    session.execute(delete(SuggestModel).where(SuggestModel.id.not_in(
        list(session.scalars(keep)))))
    session.flush()
    return record


def latest_model_info(session: Session) -> SuggestModel | None:
    """The newest model's row without its bytes (for the admin page)."""
    from sqlalchemy.orm import defer

    return session.scalar(select(SuggestModel).options(defer(SuggestModel.data))
                          .order_by(SuggestModel.id.desc()).limit(1))


# Evaluation on a labelled set (EVAL_FILE).

@dataclass
class LabelledView:
    text: str
    language: str
    scenario: int  # versions of one scenario in several languages stay in one fold
    codes: dict[str, set[str]]


def load_labelled(path: Path = EVAL_FILE) -> list[LabelledView]:
    views = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            views.append(LabelledView(row["text"], row["lang"], int(row["scenario"]),
                                      {g: set(row.get(g, [])) for g in KIND_OF_GROUP}))
    return views


@dataclass
class RankFigures:
    """Figures of one code group: `predicted` is the top code, plus any other at or above
    DECIDE_AT; recall@k counts the true codes among the top k."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    at1: int = 0
    at2: int = 0
    labels: int = 0
    confidence: float = 0.0  # sum of the top code's confidence
    top_right: int = 0
    views: int = 0

    def add(self, ranked: list[tuple[str, float]], actual: set[str]) -> None:
        if not actual:
            return
        predicted = {code for i, (code, conf) in enumerate(ranked) if i == 0 or conf >= DECIDE_AT}
        self.tp += len(predicted & actual)
        self.fp += len(predicted - actual)
        self.fn += len(actual - predicted)
        self.at1 += len({c for c, _ in ranked[:1]} & actual)
        self.at2 += len({c for c, _ in ranked[:2]} & actual)
        self.labels += len(actual)
        self.views += 1
        if ranked:
            self.confidence += ranked[0][1]
            self.top_right += ranked[0][0] in actual

    def merge(self, other: RankFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def f1(self) -> float:
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        p = self.precision
        return 2 * p * recall / (p + recall) if p + recall else 0.0

    @property
    def recall_at1(self) -> float:
        return self.at1 / self.labels if self.labels else 0.0

    @property
    def recall_at2(self) -> float:
        return self.at2 / self.labels if self.labels else 0.0

    @property
    def mean_confidence(self) -> float:
        return self.confidence / self.views if self.views else 0.0

    @property
    def top_accuracy(self) -> float:
        return self.top_right / self.views if self.views else 0.0


def _measure(views: list[LabelledView], rank: Any) -> dict[str, RankFigures]:
    figures = {group: RankFigures() for group in REQUIRED}
    for view in views:
        found = rank(view)
        for group in REQUIRED:
            figures[group].add(found[group], view.codes[group])
    return figures


def _ranked(found: Mapping[str, list[Suggestion]]) -> dict[str, list[tuple[str, float]]]:
    return {group: [(s.code, s.confidence) for s in found[group]] for group in REQUIRED}


def _majority(views: list[LabelledView]) -> dict[str, list[tuple[str, float]]]:
    """The most frequent code of each group, then the next: always the same answer."""
    ranked = {}
    for group in REQUIRED:
        counts = Counter(code for v in views for code in v.codes[group])
        ranked[group] = [(code, 1.0 if i == 0 else 0.0)
                         for i, (code, _n) in enumerate(sorted(
                             counts.items(), key=lambda item: (-item[1], item[0])))]
    return ranked


def _folds(views: list[LabelledView], folds: int, seed: int) -> list[list[int]]:
    """Indices of `views` in `folds` parts, whole scenarios at a time (a scenario told in
    six languages must not be learnt in one language and tested in another)."""
    import numpy as np

    scenarios = sorted({v.scenario for v in views})
    order = np.random.RandomState(seed).permutation(len(scenarios))
    part = {scenarios[i]: n % folds for n, i in enumerate(order)}
    return [[i for i, v in enumerate(views) if part[v.scenario] == k] for k in range(folds)]


@dataclass
class SetEvaluation:
    views: int
    languages: dict[str, int]
    folds: int
    # mode ("cold", "trained") -> system ("suggestions", "majority_baseline") -> figures
    figures: dict[str, dict[str, dict[str, RankFigures]]]
    # mode -> system -> micro-F1 of each fold (cold: one figure)
    spread: dict[str, dict[str, list[float]]]
    keyword_share: float  # views where a principle or commitment keyword fires

    @staticmethod
    def micro(figures: Mapping[str, RankFigures]) -> float:
        total = RankFigures()
        for f in figures.values():
            total.merge(f)
        return total.f1


def evaluate(session: Session, *, path: Path = EVAL_FILE, folds: int = 5, seed: int = 0
             ) -> SetEvaluation:
    """Measure the suggestions of the principles and the commitments on a labelled set:

    - cold: the lexicon and the taxonomy's own classifier, as on a new install; the
      majority baseline proposes the set's most frequent code of each group (it peeks at
      the answers: a generous baseline);
    - trained: `folds`-fold cross-validation over the set, whole scenarios per fold; each
      fold's model learns from the other folds and the taxonomy, and the baseline from the
      other folds' most frequent code."""
    views = load_labelled(path)
    version_id = _current_version_id(session)
    compiled = compiled_lexicon(session, version_id)
    prior = prior_model(session, version_id)
    figures: dict[str, dict[str, dict[str, RankFigures]]] = {}
    spread: dict[str, dict[str, list[float]]] = {}

    cold = _measure(views, lambda v: _ranked(score(v.text, compiled, None, prior=prior,
                                                   per_group=None)))
    majority = _majority(views)
    baseline = _measure(views, lambda v: majority)
    figures["cold"] = {"suggestions": cold, "majority_baseline": baseline}
    spread["cold"] = {"suggestions": [SetEvaluation.micro(cold)],
                      "majority_baseline": [SetEvaluation.micro(baseline)]}

    priors = prior_samples(_items(session, version_id))
    trained = {group: RankFigures() for group in REQUIRED}
    trained_baseline = {group: RankFigures() for group in REQUIRED}
    spread["trained"] = {"suggestions": [], "majority_baseline": []}
    for held in _folds(views, folds, seed):
        held_set = set(held)
        learn = [v for i, v in enumerate(views) if i not in held_set]
        test = [views[i] for i in held]
        model = fit([Sample(v.text, v.codes) for v in learn] + priors, compiled)
        fold = _measure(test, lambda v, model=model: _ranked(
            score(v.text, compiled, model, prior=prior, per_group=None)))
        majority = _majority(learn)
        fold_baseline = _measure(test, lambda v, majority=majority: majority)
        spread["trained"]["suggestions"].append(SetEvaluation.micro(fold))
        spread["trained"]["majority_baseline"].append(SetEvaluation.micro(fold_baseline))
        for group in REQUIRED:
            trained[group].merge(fold[group])
            trained_baseline[group].merge(fold_baseline[group])
    figures["trained"] = {"suggestions": trained, "majority_baseline": trained_baseline}
    required_kinds = {KIND_OF_GROUP[g] for g in REQUIRED}
    fired = sum(1 for v in views if any(
        compiled.kinds.get(code) in required_kinds
        for code in lexicon_service.match(compiled, v.text)))
    return SetEvaluation(views=len(views), languages=dict(Counter(v.language for v in views)),
                         folds=folds, figures=figures, spread=spread,
                         keyword_share=fired / len(views) if views else 0.0)


def spread_of(values: list[float]) -> tuple[float, float]:
    """(mean, standard deviation) of per-fold figures."""
    if not values:
        return 0.0, 0.0
    return statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0
