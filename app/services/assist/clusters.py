"""Campaign folding: near-identical submissions grouped as they arrive (issue #8).

A form letter sent ten thousand times is one voice with a count, not ten thousand rows.
Each text gets a MinHash signature (64 hash functions, `_minhash`) over the character
5-grams of its folded sentences (3-grams in Chinese, Japanese and Korean, where 5
characters are already several words). Grams never cross a sentence boundary and form a
set, so reordering the sentences changes nothing; a changed name or a few edited words
change a few grams out of hundreds. On the fixtures of the tests the same text with a
different name scores 0.8, reordered 1.0, distinct texts on the same topic 0.4 at most:
`THRESHOLD` sits between.

The LSH index is in the database (app/models/cluster.py), so every node folds against the
same one: 16 bands of 4 values, looked up in one query of 16 index probes (each capped at
the newest `PER_BAND` rows, so a campaign of 100,000 copies costs what a pair does). A
candidate is confirmed by the signatures' estimated Jaccard similarity.

A campaign is the connected group of near-duplicate pairs (issue #17), whatever the order
in which its copies arrive: the arriving text joins the campaign of the texts it is near,
and when those belong to several campaigns (copies that each dropped a different
sentence, bridged by a fuller copy), they merge into the oldest one, every member keeping
its status and the decisions taken on it. Folding a round takes one transaction at a time
(`_lock_round`), so two copies sent in the same instant to two nodes see each other.
Invisible characters are dropped by `textnorm.normalize` before any gram is cut.

Erasing a member never splits a campaign it bridged; `rebuild` recomputes a round from
scratch (the connected components of the confirmed pairs), which also folds rows
inserted in bulk.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    Integer,
    bindparam,
    case,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.db import UTCDateTime, bulk_insert
from app.models import Answer, Attachment, Round, Submission
from app.models.cluster import Cluster, ClusterBand, SubmissionSignature
from app.models.submission import ASSIST_ATTACHMENT_CHARS
from app.services.accounts import audit
from app.services.assist import minhash

PER_BAND = 8  # LSH index rows looked up per band (see module docstring)
# Folding at intake.

def _texts(session: Session, submission: Submission) -> str:
    # The attachments' text counts: a campaign of the same PDF with an empty or identical
    # body folds (issue #21).
    return minhash.text_of(submission.title, [a.text for a in submission.answers],
                           submission.body, submission.attachment_text)


# The statements of the intake path are built once, with bound parameters: building and
# compiling a 16-way UNION on every submission would cost more than the folding itself.
_SUBMISSIONS = Submission.__table__
_BANDS = ClusterBand.__table__
_SIGNATURES = SubmissionSignature.__table__
_CLUSTERS = Cluster.__table__


def _candidates_statement() -> Any:
    band = _BANDS.c
    probes = [select(band.submission_id)
              .where(band.round_id == bindparam("round_id"), band.band == index,
                     band.hash == bindparam(f"h{index}"),
                     band.submission_id != bindparam("exclude"))
              .order_by(band.submission_id.desc()).limit(PER_BAND).subquery(f"p{index}")
              for index in range(minhash.BANDS)]
    ids = union_all(*[select(probe.c.submission_id) for probe in probes])
    table = _SUBMISSIONS.c
    return (select(table.id, table.cluster_id, table.created_at, table.language,
                   _SIGNATURES.c.signature, _CLUSTERS.c.languages)
            .join(_SIGNATURES, _SIGNATURES.c.submission_id == table.id)
            .outerjoin(_CLUSTERS, _CLUSTERS.c.id == table.cluster_id)
            .where(table.id.in_(ids)))


_CANDIDATES = _candidates_statement()
_INSERT_SIGNATURE = insert(_SIGNATURES)
_INSERT_BANDS = insert(_BANDS)
_SET_CLUSTER = (update(_SUBMISSIONS).where(_SUBMISSIONS.c.id == bindparam("member"))
                .values(cluster_id=bindparam("cluster")))
_GROW = (update(_CLUSTERS).where(_CLUSTERS.c.id == bindparam("cluster"))
         .values(size=_CLUSTERS.c.size + 1,
                 first_at=case((_CLUSTERS.c.first_at > bindparam("at", type_=UTCDateTime()),
                                bindparam("at", type_=UTCDateTime())),
                               else_=_CLUSTERS.c.first_at),
                 last_at=case((_CLUSTERS.c.last_at < bindparam("at", type_=UTCDateTime()),
                               bindparam("at", type_=UTCDateTime())),
                              else_=_CLUSTERS.c.last_at)))
_LANGUAGES = select(_CLUSTERS.c.languages).where(_CLUSTERS.c.id == bindparam("cluster"))


def _candidates(session: Session, round_id: int, hashes: np.ndarray, exclude: int) -> list:
    """Submissions of the round sharing a band with `hashes`: one query, 16 index probes."""
    params = {f"h{index}": int(value) for index, value in enumerate(hashes)}
    return session.execute(_CANDIDATES, {"round_id": round_id, "exclude": exclude,
                                         **params}).all()


def _store(session: Session, submission: Submission, sig: np.ndarray,
           hashes: np.ndarray) -> None:
    session.execute(_INSERT_SIGNATURE, [{"submission_id": submission.id,
                                         "signature": minhash.to_bytes(sig)}])
    session.execute(_INSERT_BANDS, [
        {"round_id": submission.round_id, "band": index, "hash": int(value),
         "submission_id": submission.id} for index, value in enumerate(hashes)])


def _set_cluster(session: Session, submission_id: int, cluster_id: int | None,
                 obj: Submission | None = None) -> None:
    """Move a submission in or out of a cluster without touching its version: the version
    guards what a moderator saw, and folding changes nothing they decide on."""
    session.execute(_SET_CLUSTER, {"member": submission_id, "cluster": cluster_id})
    if obj is not None:
        set_committed_value(obj, "cluster_id", cluster_id)


def fold(session: Session, submission: Submission) -> int | None:
    """Index a flushed submission and fold it with every near duplicate the index finds:
    into their campaign, or merging their campaigns into one when it is near members of
    several. Returns the cluster id, or None when it stands alone."""
    sig = minhash.signature(_texts(session, submission))
    if sig is None:
        return None
    hashes = minhash.band_hashes(sig)
    _lock_round(session, submission.round_id)
    rows = _candidates(session, submission.round_id, hashes, submission.id)
    _store(session, submission, sig, hashes)
    matches = [row for row in rows
               if minhash.similarity(sig, minhash.from_bytes(row.signature)) >= minhash.THRESHOLD]
    if not matches:
        return None
    cluster_ids = sorted({row.cluster_id for row in matches if row.cluster_id is not None})
    loners = [row for row in matches if row.cluster_id is None]
    if len(cluster_ids) + len(loners) == 1:
        # The common case: one campaign (or one other text) to join.
        return _join(session, submission, matches[0])
    return _merge(session, submission, cluster_ids, [row.id for row in loners])


# Campaigns of one round fold one transaction at a time: a text arriving while another
# node folds a copy must see it, or the two would each start a campaign. SQLite writers
# already queue (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock per
# round, released at commit. The first key names the lock's purpose among the app's locks.
_LOCK_CLASS = 0x0C1F


def _lock_round(session: Session, round_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(
            literal(_LOCK_CLASS, Integer), literal(round_id, Integer))))


def _merge(session: Session, submission: Submission, cluster_ids: list[int],
           loner_ids: list[int]) -> int:
    """The new text is near members of several campaigns (or of several texts standing
    alone): they become one campaign, the oldest, every member keeping its status, tags
    and decisions. Rare, so the figures are recounted from the members rather than kept
    incrementally."""
    table = _SUBMISSIONS.c
    if cluster_ids:
        target, others = cluster_ids[0], cluster_ids[1:]
    else:
        cluster = Cluster(round_id=submission.round_id, size=0,
                          first_at=submission.created_at, last_at=submission.created_at,
                          languages=[], sample_submission_id=min(loner_ids))
        session.add(cluster)
        session.flush()
        target, others = cluster.id, []
        session.expunge(cluster)
    if others:
        session.execute(update(_SUBMISSIONS).where(table.cluster_id.in_(others))
                        .values(cluster_id=target))
    session.execute(update(_SUBMISSIONS)
                    .where(table.id.in_([*loner_ids, submission.id]),
                           or_(table.cluster_id.is_(None), table.id == submission.id))
                    .values(cluster_id=target))
    set_committed_value(submission, "cluster_id", target)
    size, first_at, last_at = session.execute(
        select(func.count(), func.min(table.created_at), func.max(table.created_at))
        .where(table.cluster_id == target)).one()
    languages = sorted(language for language in session.scalars(
        select(table.language).where(table.cluster_id == target).distinct()) if language)
    session.execute(update(_CLUSTERS).where(_CLUSTERS.c.id == target).values(
        size=size, first_at=_aware(first_at), last_at=_aware(last_at), languages=languages))
    if others:
        session.execute(delete(Cluster).where(Cluster.id.in_(others)))
        for cluster_id in others:
            _forget_cluster(session, cluster_id)
        audit.record(session, "cluster.merge", target=session.get(Cluster, target),
                     merged=others, by_submission=submission.id)
    _expire_cluster(session, target)
    return target


def _forget_cluster(session: Session, cluster_id: int) -> None:
    """A cluster deleted by a Core statement leaves the session's copy, if any."""
    cluster = session.identity_map.get(identity_key(Cluster, cluster_id))
    if cluster is not None:
        session.expunge(cluster)


def _join(session: Session, submission: Submission, candidate: Any) -> int | None:
    cluster_id = candidate.cluster_id
    if cluster_id is None:
        cluster = Cluster(round_id=submission.round_id, size=2,
                          first_at=min(candidate.created_at, submission.created_at),
                          last_at=max(candidate.created_at, submission.created_at),
                          languages=sorted({candidate.language, submission.language} - {None}),
                          sample_submission_id=candidate.id)
        session.add(cluster)
        session.flush()
        table = Submission.__table__.c
        claimed = session.execute(update(Submission.__table__)
                                  .where(table.id == candidate.id, table.cluster_id.is_(None))
                                  .values(cluster_id=cluster.id))
        if claimed.rowcount == 1:
            _set_cluster(session, submission.id, cluster.id, submission)
            return cluster.id
        # Another node clustered the candidate meanwhile: join that cluster instead.
        session.execute(delete(Cluster).where(Cluster.id == cluster.id))
        session.expunge(cluster)
        cluster_id = session.scalar(select(Submission.cluster_id)
                                    .where(Submission.id == candidate.id))
        if cluster_id is None:
            return None
    session.execute(_GROW, {"cluster": cluster_id, "at": submission.created_at})
    known = candidate.languages if cluster_id == candidate.cluster_id else None
    if submission.language and submission.language not in (known or []):
        # A language new to the campaign (rare): read the list again, now that the UPDATE
        # above holds the row's lock, so that a concurrent addition is not lost.
        languages = session.execute(_LANGUAGES, {"cluster": cluster_id}).scalar()
        session.execute(update(_CLUSTERS).where(_CLUSTERS.c.id == cluster_id)
                        .values(languages=sorted({*(languages or []), submission.language})))
    _set_cluster(session, submission.id, cluster_id, submission)
    _expire_cluster(session, cluster_id)
    return cluster_id


def _expire_cluster(session: Session, cluster_id: int) -> None:
    """Core UPDATEs bypass the ORM: a Cluster loaded in this session reloads on next use."""
    cluster = session.identity_map.get(identity_key(Cluster, cluster_id))
    if cluster is not None:
        session.expire(cluster)


def remove(session: Session, submission: Submission) -> None:
    """Take a submission out of the index and out of its cluster (erasure, correction)."""
    raw = session.scalar(select(SubmissionSignature.signature)
                         .where(SubmissionSignature.submission_id == submission.id))
    if raw is not None:
        hashes = minhash.band_hashes(minhash.from_bytes(raw))
        session.execute(delete(ClusterBand).where(
            ClusterBand.round_id == submission.round_id,
            ClusterBand.submission_id == submission.id,
            tuple_(ClusterBand.band, ClusterBand.hash).in_(
                [(index, int(value)) for index, value in enumerate(hashes)])))
        session.execute(delete(SubmissionSignature)
                        .where(SubmissionSignature.submission_id == submission.id))
    cluster_id = session.scalar(select(Submission.cluster_id)
                                .where(Submission.id == submission.id))
    if cluster_id is not None:
        _set_cluster(session, submission.id, None, submission)
        _shrink(session, cluster_id, submission.id)


def _shrink(session: Session, cluster_id: int, leaving_id: int) -> None:
    """One member left: a cluster of one is no campaign and dissolves; otherwise its time
    span, languages and sample are recomputed from the members that remain."""
    session.execute(update(Cluster).where(Cluster.id == cluster_id)
                    .values(size=Cluster.size - 1)
                    .execution_options(synchronize_session=False))
    table = Submission.__table__.c
    size, first_at, last_at, sample = session.execute(
        select(func.count(), func.min(table.created_at), func.max(table.created_at),
               func.min(table.id)).where(table.cluster_id == cluster_id)).one()
    if size < 2:
        session.execute(update(Submission.__table__).where(table.cluster_id == cluster_id)
                        .values(cluster_id=None))
        session.execute(delete(Cluster).where(Cluster.id == cluster_id))
    else:
        languages = sorted(language for language in session.scalars(
            select(table.language).where(table.cluster_id == cluster_id).distinct())
            if language)
        current = session.scalar(select(Cluster.sample_submission_id)
                                 .where(Cluster.id == cluster_id))
        session.execute(update(Cluster).where(Cluster.id == cluster_id).values(
            size=size, first_at=_aware(first_at), last_at=_aware(last_at), languages=languages,
            sample_submission_id=sample if current == leaving_id else current)
            .execution_options(synchronize_session=False))
    _expire_cluster(session, cluster_id)


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """min()/max() on SQLite come back as text or naive datetimes: make them aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def refold(session: Session, submission: Submission) -> int | None:
    """After a correction: fold again when the text changed enough to move its bands."""
    raw = session.scalar(select(SubmissionSignature.signature)
                         .where(SubmissionSignature.submission_id == submission.id))
    sig = minhash.signature(_texts(session, submission))
    if raw is not None and sig is not None and np.array_equal(minhash.from_bytes(raw), sig):
        return submission.cluster_id
    remove(session, submission)
    return fold(session, submission)


# Rebuilding.

@dataclass
class RebuildResult:
    rounds: int = 0
    submissions: int = 0
    clusters: int = 0
    folded: int = 0


def rebuild(session: Session, *, round_id: int | None = None, batch: int = 5000
            ) -> Iterator[RebuildResult]:
    """Recompute signatures, bands and clusters of one round (or all), from scratch.

    Texts are read in keyset batches; signatures of a round are kept in memory as one
    array (256 bytes a submission: 256 MB at a million), candidate pairs come from sorting
    each band's hashes, and clusters are the connected components of the confirmed pairs.
    Yields progress after each round; the caller commits."""
    round_ids = [round_id] if round_id is not None else list(
        session.scalars(select(Round.id).order_by(Round.id)))
    result = RebuildResult()
    for rid in round_ids:
        _clear_round(session, rid)
        ids, sigs, meta = _round_signatures(session, rid, batch)
        result.rounds += 1
        result.submissions += len(ids)
        if ids:
            hashes = minhash.band_hashes(sigs)
            _write_index(session, rid, ids, sigs, hashes, batch)
            groups = _components(ids, sigs, hashes)
            result.clusters += len(groups)
            result.folded += sum(len(g) for g in groups)
            _write_clusters(session, rid, groups, meta, batch)
        session.flush()
        yield result


def _clear_round(session: Session, round_id: int) -> None:
    table = Submission.__table__.c
    in_round = select(table.id).where(table.round_id == round_id).scalar_subquery()
    session.execute(update(Submission.__table__).where(table.round_id == round_id,
                                                       table.cluster_id.is_not(None))
                    .values(cluster_id=None))
    session.execute(delete(Cluster).where(Cluster.round_id == round_id))
    session.execute(delete(ClusterBand).where(ClusterBand.round_id == round_id))
    session.execute(delete(SubmissionSignature)
                    .where(SubmissionSignature.submission_id.in_(in_round)))


def _round_signatures(session: Session, round_id: int, batch: int
                      ) -> tuple[list[int], np.ndarray, dict[int, tuple]]:
    table = Submission.__table__.c
    ids: list[int] = []
    sigs: list[np.ndarray] = []
    meta: dict[int, tuple] = {}
    last = 0
    while True:
        rows = session.execute(
            select(table.id, table.title, table.body, table.created_at, table.language)
            .where(table.round_id == round_id, table.id > last, table.erased_at.is_(None))
            .order_by(table.id).limit(batch)).all()
        if not rows:
            break
        answers: dict[int, list[str]] = defaultdict(list)
        for sid, text in session.execute(
                select(Answer.submission_id, Answer.text)
                .where(Answer.submission_id.in_([r.id for r in rows]))
                .order_by(Answer.submission_id, Answer.position)):
            answers[sid].append(text)
        files = _attachment_texts(session, [r.id for r in rows])
        for row in rows:
            sig = minhash.signature(minhash.text_of(row.title, answers.get(row.id, []), row.body,
                                                    files.get(row.id, "")))
            if sig is not None:
                ids.append(row.id)
                sigs.append(sig)
                meta[row.id] = (_aware(row.created_at), row.language)
        last = rows[-1].id
    matrix = np.vstack(sigs) if sigs else np.empty((0, minhash.NUM_PERM), np.uint32)
    return ids, matrix, meta


def _attachment_texts(session: Session, ids: list[int]) -> dict[int, str]:
    """Submission id -> its attachments' text as `Submission.attachment_text` reads it."""
    found: dict[int, list[str]] = defaultdict(list)
    for sid, text in session.execute(
            select(Attachment.submission_id, Attachment.text)
            .where(Attachment.submission_id.in_(ids), Attachment.text != "")
            .order_by(Attachment.submission_id, Attachment.position)):
        found[sid].append(text)
    return {sid: "\n\n".join(texts)[:ASSIST_ATTACHMENT_CHARS] for sid, texts in found.items()}


def _write_index(session: Session, round_id: int, ids: list[int], sigs: np.ndarray,
                 hashes: np.ndarray, batch: int) -> None:
    for start in range(0, len(ids), batch):
        chunk = range(start, min(start + batch, len(ids)))
        bulk_insert(session, _SIGNATURES, ("submission_id", "signature"),
                     [(ids[i], minhash.to_bytes(sigs[i])) for i in chunk])
        band_rows = hashes[start:start + len(chunk)].tolist()
        bulk_insert(session, _BANDS, ("round_id", "band", "hash", "submission_id"),
                     [(round_id, band, value, ids[i])
                      for i, row in zip(chunk, band_rows, strict=True)
                      for band, value in enumerate(row)])


def _components(ids: list[int], sigs: np.ndarray, hashes: np.ndarray) -> list[list[int]]:
    """The campaigns (two texts or more): the connected groups of near-duplicate pairs,
    as folding at intake builds them in any order of arrival.

    Candidates come from sorting each band's hashes: within a run of equal hashes, each
    text is paired with the one before it and with the first of the run (vectorized); the
    pairs are confirmed by their signatures, then joined by union-find."""
    n = len(ids)
    later: list[np.ndarray] = []
    earlier: list[np.ndarray] = []
    positions = np.arange(n)
    for band in range(minhash.BANDS):
        order = np.lexsort((positions, hashes[:, band]))
        sorted_hashes = hashes[order, band]
        same = np.flatnonzero(sorted_hashes[1:] == sorted_hashes[:-1]) + 1
        if not len(same):
            continue
        starts = np.flatnonzero(np.concatenate(([True], sorted_hashes[1:] != sorted_hashes[:-1])))
        run_start = starts[np.searchsorted(starts, same, side="right") - 1]
        for left in (same - 1, run_start):
            later.append(order[same])
            earlier.append(order[left])
    if not later:
        return []
    right, left = np.concatenate(later), np.concatenate(earlier)
    keep = (sigs[right] == sigs[left]).sum(axis=1) >= minhash.THRESHOLD * minhash.NUM_PERM
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(right[keep].tolist(), left[keep].tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for position in range(n):
        groups[root(position)].append(ids[position])
    return [members for members in groups.values() if len(members) >= 2]


def _write_clusters(session: Session, round_id: int, groups: list[list[int]],
                    meta: dict[int, tuple], batch: int) -> None:
    for start in range(0, len(groups), batch):
        chunk = groups[start:start + batch]
        clusters = [Cluster(round_id=round_id, size=len(members),
                            first_at=min(meta[m][0] for m in members),
                            last_at=max(meta[m][0] for m in members),
                            languages=sorted({meta[m][1] for m in members} - {None}),
                            sample_submission_id=members[0]) for members in chunk]
        session.add_all(clusters)
        session.flush()
        for cluster, members in zip(clusters, chunk, strict=True):
            for first in range(0, len(members), 1000):  # one UPDATE per thousand members
                session.execute(update(_SUBMISSIONS)
                                .where(_SUBMISSIONS.c.id.in_(members[first:first + 1000]))
                                .values(cluster_id=cluster.id))
        for cluster in clusters:
            session.expunge(cluster)


# Counting.

def unique_voices_column() -> Any:
    """A column expression counting unique voices among the rows of a query on
    submissions: each submission outside a cluster, plus one per cluster present."""
    return (func.count(distinct(Submission.cluster_id))
            + func.coalesce(func.sum(case((Submission.cluster_id.is_(None), 1), else_=0)), 0))


def unique_voices(session: Session, conditions: Sequence[Any] = ()) -> int:
    """Unique voices among the submissions matching `conditions` (SQL conditions on
    Submission, e.g. app.services.reporting.reports.conditions(f))."""
    return int(session.scalar(select(unique_voices_column()).select_from(Submission)
                              .where(*conditions)) or 0)


def campaign_stats(session: Session, round_id: int | None = None) -> dict[str, int]:
    """`clusters`: campaigns (clusters of two or more) of the round or of all rounds;
    `folded`: the submissions in them. Read from the clusters table alone."""
    query = select(func.count(), func.coalesce(func.sum(Cluster.size), 0)).where(Cluster.size >= 2)
    if round_id is not None:
        query = query.where(Cluster.round_id == round_id)
    count, folded = session.execute(query).one()
    return {"clusters": int(count), "folded": int(folded)}


def sizes(session: Session, cluster_ids: Sequence[int | None]) -> dict[int, int]:
    """Sizes of the given clusters, in one query (for badges on a page of submissions)."""
    wanted = sorted({c for c in cluster_ids if c is not None})
    if not wanted:
        return {}
    return dict(session.execute(select(Cluster.id, Cluster.size).where(Cluster.id.in_(wanted)))
                .all())
