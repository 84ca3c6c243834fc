"""Synthetic submissions for demonstrations and benchmarks, bulk-inserted.

Texts in the six languages (with realistic lengths), actor types, countries, personal
data on a share of them, moderator tags on the approved ones, and a few near-duplicate
campaigns. Rows go in with COPY on PostgreSQL and executemany on SQLite, in batches, so a
million submissions take a couple of minutes and flat memory.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db import bulk_insert, utcnow
from app.i18n import country_codes
from app.models import (
    ActorType,
    AgeRange,
    Gender,
    ItemKind,
    Keyword,
    PersonalData,
    Round,
    Status,
    Submission,
    SubmissionKeyword,
    SubmissionSearch,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.services.assist import search
from app.services.contributions import intake
from app.services.text.langid import UN_LANGUAGES

BATCH = 20_000
LANGUAGE_WEIGHTS = {"en": 30, "fr": 14, "es": 14, "ar": 14, "zh": 10, "ru": 8, "sw": 1,
                    "hi": 1, "pt": 1}
# Views in the six UN languages are composed from the templates of app/data/demo_texts.json
# (thousands of distinct sentences each); these few stand for the other languages people
# write in, which language identification and the queue's filter must cope with.
SENTENCES = {
    "sw": ["Intaneti nafuu ni hatua ya kwanza kwa kijiji changu.",
           "Vijana lazima washirikishwe katika maamuzi kuhusu teknolojia."],
    "hi": ["सस्ता इंटरनेट मेरे गाँव के लिए पहला कदम है।"],
    "pt": ["Internet acessível é o primeiro passo para a minha aldeia."],
}
CAMPAIGN = ("We call on the United Nations to guarantee universal, affordable and meaningful "
            "connectivity for every young person by 2030, and to include youth in every "
            "decision about digital technologies.")
KEYWORDS = ("connectivity", "ai regulation", "youth participation", "consent", "open data",
            "digital skills", "drones", "fintech", "gender gap", "cybersecurity",
            "surveillance", "climate", "health", "education", "misinformation")


@lru_cache(maxsize=1)
def _templates() -> dict[str, Any]:
    return json.loads((Path(__file__).resolve().parents[1] / "data" / "demo_texts.json")
                      .read_text(encoding="utf-8"))


_SLOT = re.compile(r"{(\w+)}")


def _sentences(rng: random.Random, language: str) -> list[str]:
    """Three to seven sentences: each a template of the language with its slots filled."""
    spec = _templates().get(language)
    if spec is None:
        pool = SENTENCES[language]
        return [rng.choice(pool) for _ in range(rng.randint(1, 3))]
    slots = spec["slots"]
    sentences = []
    for _ in range(rng.randint(3, 7)):
        sentence = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]),
                             rng.choice(spec["templates"]))
        sentences.append(sentence[:1].upper() + sentence[1:])
    return sentences


def _campaign_copy(rng: random.Random) -> str:
    words = CAMPAIGN.split()
    for _ in range(rng.randint(0, 3)):  # small edits: a dropped or doubled word
        index = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[index]
        else:
            words.insert(index, words[index])
    return " ".join(words) + rng.choice(["", " Signed, a youth group.", " Thank you."])


def seed(session: Session, count: int, *, approved_share: float = 0.6, seed_value: int = 7
         ) -> int:
    """Add `count` synthetic submissions to the open round (or the newest); return count."""
    rng = random.Random(seed_value)  # noqa: S311  # nosec B311 - demo data, not secrets
    round_ = session.scalar(select(Round).order_by(Round.closes_at.desc()).limit(1))
    if round_ is None:
        raise ValueError("Run `flask --app wsgi setup` first: there is no round.")
    items = list(session.scalars(select(TaxonomyItem).where(
        TaxonomyItem.strategy_version_id == round_.strategy_version_id,
        TaxonomyItem.retired_at.is_(None))))
    by_kind = {kind: [i.id for i in items if i.kind == kind] for kind in ItemKind}
    keyword_ids = _keywords(session)
    countries = list(country_codes())
    languages = list(LANGUAGE_WEIGHTS)
    weights = list(LANGUAGE_WEIGHTS.values())
    actors = [a.value for a in ActorType]
    ages = [a.value for a in AgeRange]
    genders = [g.value for g in Gender]
    next_id = (session.scalar(select(func.max(Submission.id))) or 0) + 1
    # Views arrive while the round is open and no later than now; each is decided after
    # it was sent and not in the future (a demo must not show a view published before it
    # was received, or two days ahead).
    now = utcnow()
    start = round_.opens_at
    end = min(now, round_.closes_at)
    if end <= start:  # a round that has not opened yet: its first hour
        end = start + dt.timedelta(hours=1)
    span = max((end - start).total_seconds(), 1)
    references: set[str] = set(session.scalars(select(Submission.reference)))

    submission_columns = ("id", "reference", "manage_token_hash", "round_id", "status",
                          "version", "channel", "language", "title", "body", "actor_type",
                          "country", "consent_processing", "consent_publication", "anonymous",
                          "created_at", "updated_at", "decided_at", "detected_language")
    if session.connection().dialect.name == "sqlite":
        # The indexes of a million rows outgrow SQLite's default 2 MB page cache many times
        # over; every insert then re-reads index pages from the file.
        session.execute(text("PRAGMA cache_size=-262144"))  # 256 MB, this connection only
    done = 0
    position = 0
    for batch in _batches(count):
        submissions, tags, personal, keywords, documents = [], [], [], [], []
        for _ in range(batch):
            ident = next_id
            next_id += 1
            reference = intake.new_reference()
            while reference in references:
                reference = intake.new_reference()
            references.add(reference)
            campaign = rng.random() < 0.02  # the planted campaign, in English
            language = "en" if campaign else rng.choices(languages, weights)[0]
            sentences = [_campaign_copy(rng)] if campaign else _sentences(rng, language)
            body = ("" if language == "zh" and not campaign else " ").join(sentences)
            # In order of arrival, as real submissions come: ids and dates then grow
            # together, and each index takes its rows at a few ends, not all over.
            position += 1
            created = start + dt.timedelta(seconds=span * (position - rng.random()) / count)
            approved = rng.random() < approved_share
            status = Status.APPROVED if approved else rng.choice(
                [Status.PENDING, Status.PENDING, Status.PENDING, Status.REJECTED])
            decided = min(created + dt.timedelta(hours=rng.randint(1, 72)),
                          max(end, created)) if status != Status.PENDING else None
            submissions.append((
                ident, reference, hashlib.sha256(reference.encode() + b"demo").hexdigest(),
                round_.id, status.value, 1, "web", language, demo_title(body, language), body,
                rng.choice(actors), rng.choice(countries), True, rng.random() < 0.7,
                rng.random() < 0.8, _utc(created), _utc(created), _utc(decided),
                language if language in UN_LANGUAGES else None))
            # The title is the start of the body: the body alone holds every searched word,
            # and folding is word by word, so each distinct sentence is folded once.
            documents.append((ident, " ".join(_fold(sentence) for sentence in sentences)))
            if approved:
                chosen = {*rng.sample(by_kind[ItemKind.PRINCIPLE], rng.randint(1, 2))}
                if by_kind[ItemKind.COMMITMENT] and rng.random() < 0.7:
                    chosen.add(rng.choice(by_kind[ItemKind.COMMITMENT]))
                chosen.update(rng.sample(by_kind[ItemKind.TECHNOLOGY], rng.randint(1, 2)))
                chosen.update(rng.sample(by_kind[ItemKind.THEME], rng.randint(0, 2)))
                tags.extend((ident, item, TagSource.MODERATOR.value) for item in chosen)
                if rng.random() < 0.4:
                    keywords.append((ident, rng.choice(keyword_ids)))
            if rng.random() < 0.3:
                personal.append((ident, f"contributor{ident}@example.org"
                                 if rng.random() < 0.5 else None,
                                 rng.choice(ages), rng.choice(genders)))
        bulk_insert(session, Submission.__table__, submission_columns, submissions)
        bulk_insert(session, SubmissionTag.__table__, ("submission_id", "item_id", "source"), tags)
        bulk_insert(session, PersonalData.__table__,
              ("submission_id", "email", "age_range", "gender"), personal)
        bulk_insert(session, SubmissionKeyword.__table__, ("submission_id", "keyword_id"), keywords)
        bulk_insert(session, SubmissionSearch.__table__, ("submission_id", "document"), documents)
        session.commit()
        done += batch
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('submissions', 'id'), "
                             "(SELECT max(id) FROM submissions))"))
        session.commit()
    return done


TITLE_MAX = 60


def demo_title(body: str, language: str) -> str:
    """The start of the body as a title, cut at a word boundary (an ellipsis when cut):
    at the last space before TITLE_MAX characters, or for Chinese, written without spaces,
    at the last punctuation mark or after TITLE_MAX // 2 characters."""
    first = body.split("。")[0] if language == "zh" else body
    limit = TITLE_MAX // 2 if language == "zh" else TITLE_MAX
    if len(first) <= limit:
        return first.rstrip(" .。")
    cut = first[:limit]
    if language == "zh":
        mark = max(cut.rfind("，"), cut.rfind("、"), cut.rfind("；"))
        cut = cut[:mark] if mark > limit // 2 else cut
    else:
        space = cut.rfind(" ")
        cut = cut[:space] if space > limit // 3 else cut
    return cut.rstrip(" ,.;:،，、") + "…"


@lru_cache(maxsize=200_000)
def _fold(sentence: str) -> str:
    """Sentences repeat across a million rows: fold each distinct one once."""
    return search.fold(sentence)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """COPY bypasses the column type: hand it aware UTC datetimes, as the type would."""
    return value.astimezone(dt.UTC) if value is not None else None


def _batches(count: int) -> Iterator[int]:
    while count > 0:
        size = min(BATCH, count)
        yield size
        count -= size


def _keywords(session: Session) -> list[int]:
    existing = {k.text: k.id for k in session.scalars(select(Keyword))}
    for word in KEYWORDS:
        if word not in existing:
            keyword = Keyword(text=word)
            session.add(keyword)
            session.flush()
            existing[word] = keyword.id
    return [existing[word] for word in KEYWORDS]

