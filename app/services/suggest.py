"""Suggested tags: the likely principles, commitments, technologies and themes of a
submission, each with a confidence and the words that triggered it. Never applied by
itself: a moderator accepts a suggestion or not, and the audit log records which.

Two sources, both computed on this machine:
- the keyword lexicon of the taxonomy (`app.services.lexicon`): a term found in the text
  gives 55 % for one distinct term, 73 % for two, 84 % for three, and so on;
- a classifier trained from moderators' decisions (`train`): character n-gram TF-IDF on
  the folded text (analyzer "char_wb", 2 to 4 characters) and one logistic regression
  per code, one-vs-rest within each code group, stored in `suggest_models` for every node.
When both speak, the confidence is their noisy-or, 1 - (1 - lexicon) (1 - classifier):
either source alone can propose a code, and agreement raises it.

scikit-learn and numpy are imported only to train or to score with a model, so that
workers that never suggest do not pay for them. Each process keeps the compiled lexicon
and the unpickled model in memory, keyed by what would change them (the lexicon's last
edit, the newest model's id, checked at most every REFERENCE_CACHE_SECONDS), so a review
page costs the scoring alone.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import pickle  # nosec B403
import random
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import has_app_context
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from app import cache
from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import (
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
from app.services import lexicon as lexicon_service
from app.services.moderation import TagInput
from app.services.taxonomy import CODE_PATTERNS
from app.services.textnorm import normalize

log = logging.getLogger(__name__)

GROUPS: dict[str, ItemKind] = {
    "principles": ItemKind.PRINCIPLE,
    "commitments": ItemKind.COMMITMENT,
    "technologies": ItemKind.TECHNOLOGY,
    "themes": ItemKind.THEME,
}
GROUP_OF_KIND = {kind: group for group, kind in GROUPS.items()}
SHOW_FROM = 0.3  # below this a suggestion is noise
DECIDE_AT = 0.5  # a suggestion at or above this counts as "predicted" in the evaluation
PER_GROUP = 5
MIN_SAMPLES = 10
KEEP_MODELS = 3
MAX_FEATURES = 30000
TEXT_MAX = 20000  # characters scored: a very long view is judged on its beginning


class NotEnoughData(DomainError):
    pass


@dataclass
class Suggestion:
    code: str
    confidence: float
    evidence: list[str] = field(default_factory=list)
    source: str = "lexicon"  # "lexicon", "classifier" or "both"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 3),
                "evidence": list(self.evidence)}


def lexicon_confidence(distinct_terms: int) -> float:
    return 0.0 if distinct_terms <= 0 else 1 - 0.45 * 0.6 ** (distinct_terms - 1)


def submission_text(submission: Submission) -> str:
    if submission.erased_at is not None:
        return ""
    return "\n".join(p for p in (submission.title, submission.full_text) if p)[:TEXT_MAX]


# The per-process caches.

_lock = threading.Lock()
_lexicons: dict[int, tuple[tuple, lexicon_service.CompiledLexicon]] = {}
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


def compiled_lexicon(session: Session, strategy_version_id: int, key: tuple | None = None
                     ) -> lexicon_service.CompiledLexicon:
    """The active items of a strategy version and their terms, compiled once per change
    (`key`, from `_stamp`, says whether it changed)."""
    if key is None:
        key = _stamp(session, strategy_version_id)[1]
    cached = _lexicons.get(strategy_version_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = session.execute(
        select(TaxonomyItem.code, TaxonomyItem.kind, LexiconEntry.terms)
        .outerjoin(LexiconEntry, LexiconEntry.item_id == TaxonomyItem.id)
        .where(TaxonomyItem.strategy_version_id == strategy_version_id,
               TaxonomyItem.retired_at.is_(None)))
    compiled = lexicon_service.compile_lexicon([(c, k, t or {}) for c, k, t in rows])
    with _lock:
        _lexicons[strategy_version_id] = (key, compiled)
    return compiled


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
    with _lock:
        _model.update(id=tuple(newest), model=model)
    return model


# Scoring.

def _classifier_scores(model: Mapping[str, Any], folded: str) -> tuple[Any, Any]:
    """(probabilities per model code, the text's TF-IDF row)."""
    import numpy as np

    row = model["vectorizer"].transform([folded])
    logits = np.asarray(row @ model["coef"].T).ravel() + model["intercept"]
    return 1.0 / (1.0 + np.exp(-logits)), row


def _ngram_evidence(model: Mapping[str, Any], row: Any, index: int,
                    words: list[lexicon_service.Token], limit: int = 3) -> list[str]:
    """The words of the text holding the n-grams that weigh most for code `index`."""
    import numpy as np

    if row.nnz == 0:
        return []
    weights = row.data * model["coef"][index, row.indices]
    found: list[str] = []
    for position in np.argsort(-weights)[:limit * 3]:
        if weights[position] <= 0:
            break
        gram = str(model["features"][row.indices[position]]).strip()
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
          model: Mapping[str, Any] | None, *, use_lexicon: bool = True,
          minimum: float = SHOW_FROM, per_group: int | None = PER_GROUP
          ) -> dict[str, list[Suggestion]]:
    """Suggestions for `text` among the codes of `compiled` (the active items), best first."""
    result: dict[str, list[Suggestion]] = {group: [] for group in GROUPS}
    if not text.strip():
        return result
    words = lexicon_service.tokens(text)
    found: dict[str, Suggestion] = {}
    if use_lexicon:
        for code, evidence in lexicon_service.match(compiled, text, words).items():
            found[code] = Suggestion(code, lexicon_confidence(len(evidence)), evidence)
    if model is not None:
        probabilities, row = _classifier_scores(model, normalize(text))
        for index, code in enumerate(model["codes"]):
            if code not in compiled.kinds:
                continue
            probability = float(probabilities[index])
            known = found.get(code)
            if known is not None:
                known.confidence = 1 - (1 - known.confidence) * (1 - probability)
                known.source = "both"
            elif probability >= minimum:
                found[code] = Suggestion(code, probability,
                                         _ngram_evidence(model, row, index, words),
                                         "classifier")
    for suggestion in found.values():
        if suggestion.confidence >= minimum and suggestion.code in compiled.kinds:
            result[GROUP_OF_KIND[compiled.kinds[suggestion.code]]].append(suggestion)
    for items in result.values():
        items.sort(key=lambda s: (-s.confidence, s.code))
        if per_group is not None:
            del items[per_group:]
    return result


def suggestions(session: Session, submission: Submission) -> dict[str, list[Suggestion]]:
    """The suggested tags of a submission, by code group (principles, commitments,
    technologies, themes), best first. Fast enough to compute on each review page."""
    version_id = submission.round.strategy_version_id
    # Whether the lexicon or the model changed is asked at most every
    # REFERENCE_CACHE_SECONDS per process: a review page usually costs no query here.
    def stamp() -> tuple[Any, tuple]:
        return _stamp(session, version_id)

    newest, key = cache.local("suggest_stamp", [version_id], stamp) if has_app_context() \
        else stamp()
    compiled = compiled_lexicon(session, version_id, tuple(key))
    return score(submission_text(submission), compiled, current_model(session, tuple(newest)))


def as_json(found: Mapping[str, list[Suggestion]]) -> dict[str, list[dict[str, Any]]]:
    return {group: [s.as_dict() for s in found.get(group, [])] for group in GROUPS}


# Accepting suggestions in a decision.

def group_of_code(code: str) -> str | None:
    for kind in (ItemKind.THEME, ItemKind.PRINCIPLE, ItemKind.COMMITMENT, ItemKind.TECHNOLOGY):
        if CODE_PATTERNS[kind].fullmatch(code):
            return GROUP_OF_KIND[kind]
    return None


def _by_group(codes: Iterable[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for raw in list(codes)[:200]:
        code = str(raw).strip().upper()[:16]
        group = group_of_code(code)
        if group is not None and code not in grouped.setdefault(group, []):
            grouped[group].append(code)
    return {group: codes for group, codes in grouped.items() if codes}


def with_accepted(tags: TagInput, shown: Iterable[Any], accepted: Iterable[Any]
                  ) -> tuple[TagInput, dict[str, Any] | None]:
    """The decision's tags with the accepted suggestions added, and what to record in the
    audit event (codes shown and codes accepted, by group), or None when none was shown."""
    shown_groups = _by_group(shown)
    accepted_groups = _by_group(accepted)
    for group, codes in accepted_groups.items():
        current = getattr(tags, group)
        setattr(tags, group, current + [c for c in codes if c not in current])
    if not shown_groups and not accepted_groups:
        return tags, None
    return tags, {"shown": shown_groups, "accepted": accepted_groups}


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
    rows = {group: AcceptanceRow(group) for group in GROUPS}
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
        codes: dict[str, set[str]] = {group: set() for group in GROUPS}
        for tag in submission.tags:
            if tag.source == TagSource.MODERATOR:
                codes[GROUP_OF_KIND[tag.item.kind]].add(tag.item.code)
        text = submission_text(submission)
        if text.strip():
            samples.append(Sample(text, codes))
    return samples


def fit(samples: list[Sample]) -> dict[str, Any]:
    """Train the classifier: TF-IDF over character n-grams, then one logistic regression
    per code that has at least two positive and one negative example."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [normalize(s.text) for s in samples]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                 min_df=2 if len(texts) >= 200 else 1,
                                 max_features=MAX_FEATURES, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    counts = Counter(code for s in samples for codes in s.codes.values() for code in codes)
    codes, coefficients, intercepts = [], [], []
    for code in sorted(counts):
        labels = np.array([any(code in c for c in s.codes.values()) for s in samples])
        if labels.sum() < 2 or labels.all():
            continue
        classifier = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear",
                                        max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(matrix, labels)
        codes.append(code)
        coefficients.append(classifier.coef_[0].astype(np.float32))
        intercepts.append(float(classifier.intercept_[0]))
    # A fitted TfidfVectorizer keeps every pruned n-gram in `stop_words_`: not needed to
    # transform, and it would make the stored model many times larger.
    vectorizer.stop_words_ = None
    features = vectorizer.get_feature_names_out()
    width = len(features)
    return {
        "vectorizer": vectorizer,
        "codes": codes,
        "coef": np.vstack(coefficients) if coefficients else np.zeros((0, width), np.float32),
        "intercept": np.array(intercepts, dtype=np.float32),
        "features": features,
        "trained_on": len(samples),
    }


@dataclass
class GroupFigures:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: set[str], actual: set[str]) -> None:
        self.tp += len(predicted & actual)
        self.fp += len(predicted - actual)
        self.fn += len(actual - predicted)

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3), "support": self.tp + self.fn}


@dataclass
class Evaluation:
    train_size: int
    test_size: int
    systems: dict[str, dict[str, GroupFigures]]  # system -> group -> figures

    def micro_f1(self, system: str) -> float:
        total = GroupFigures()
        for figures in self.systems[system].values():
            total.tp += figures.tp
            total.fp += figures.fp
            total.fn += figures.fn
        return total.f1

    def as_dict(self) -> dict[str, Any]:
        return {"train_size": self.train_size, "test_size": self.test_size,
                **{system: {"micro_f1": round(self.micro_f1(system), 3),
                            "groups": {g: f.as_dict() for g, f in groups.items()}}
                   for system, groups in self.systems.items()}}


SYSTEMS = ("suggestions", "classifier", "lexicon", "majority_baseline")


def evaluate_split(train: list[Sample], test: list[Sample],
                   compiled: lexicon_service.CompiledLexicon) -> Evaluation:
    """Train on `train`, then score `test` with each system: the suggestions as shown
    (lexicon and classifier), each source alone, and the majority-class baseline (the
    most frequent code of each group in `train`, predicted for every text)."""
    model = fit(train)
    majority: dict[str, set[str]] = {}
    for group in GROUPS:
        counts = Counter(code for s in train for code in s.codes[group])
        majority[group] = {counts.most_common(1)[0][0]} if counts else set()
    systems = {system: {group: GroupFigures() for group in GROUPS} for system in SYSTEMS}
    for sample in test:
        predicted = {
            "suggestions": score(sample.text, compiled, model, minimum=DECIDE_AT,
                                 per_group=None),
            "classifier": score(sample.text, compiled, model, use_lexicon=False,
                                minimum=DECIDE_AT, per_group=None),
            "lexicon": score(sample.text, compiled, None, minimum=DECIDE_AT, per_group=None),
        }
        for group in GROUPS:
            actual = sample.codes[group]
            for system, found in predicted.items():
                systems[system][group].add({s.code for s in found[group]}, actual)
            systems["majority_baseline"][group].add(majority[group], actual)
    return Evaluation(len(train), len(test), systems)


def split(samples: list[Sample], test_share: float, seed: int
          ) -> tuple[list[Sample], list[Sample]]:
    shuffled = list(samples)
    # A reproducible split, not a secret.
    random.Random(seed).shuffle(shuffled)  # noqa: S311 # nosec B311
    cut = max(1, round(len(shuffled) * test_share))
    return shuffled[cut:], shuffled[:cut]


def _current_lexicon(session: Session) -> lexicon_service.CompiledLexicon:
    from app.services.taxonomy import current_version

    version = current_version(session)
    if version is None:
        raise NotEnoughData(_l("Load the taxonomy first."))
    return compiled_lexicon(session, version.id)


def evaluate(session: Session, *, test_share: float = 0.25, seed: int = 0,
             limit: int = 20000) -> Evaluation:
    """Held-out evaluation on the approved, moderator-tagged submissions."""
    samples = training_samples(session, limit)
    if len(samples) < MIN_SAMPLES:
        raise NotEnoughData(_l("At least %(num)d approved submissions with tags are needed; "
                               "there are %(have)d.", num=MIN_SAMPLES, have=len(samples)))
    train_part, test_part = split(samples, test_share, seed)
    return evaluate_split(train_part, test_part, _current_lexicon(session))


def train(session: Session, *, limit: int = 20000, test_share: float = 0.25,
          seed: int = 0) -> SuggestModel:
    """Measure on a held-out split, train on every sample, store the model (keeping the
    previous few for comparison) and return it."""
    samples = training_samples(session, limit)
    if len(samples) < MIN_SAMPLES:
        raise NotEnoughData(_l("At least %(num)d approved submissions with tags are needed; "
                               "there are %(have)d.", num=MIN_SAMPLES, have=len(samples)))
    train_part, test_part = split(samples, test_share, seed)
    metrics = evaluate_split(train_part, test_part, _current_lexicon(session)).as_dict()
    model = fit(samples)
    buffer = io.BytesIO()
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    record = SuggestModel(created_at=utcnow(), trained_on=len(samples),
                          metrics={**metrics, "codes": len(model["codes"]),
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
