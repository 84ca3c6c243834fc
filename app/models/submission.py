"""Submissions, the contributor's answers and tags, and the personal data kept apart."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.attachment import Attachment
from app.models.consultation import Question, Round
from app.models.taxonomy import TaxonomyItem, enum_column
from app.models.user import User


class Status(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ActorType(enum.StrEnum):
    GOVERNMENT = "government"
    UN_ENTITY = "un_entity"
    PRIVATE_SECTOR = "private_sector"
    ACADEMIA = "academia"
    CIVIL_SOCIETY = "civil_society"
    YOUTH = "youth"
    TECHNICAL_COMMUNITY = "technical_community"
    INDIVIDUAL = "individual"
    OTHER = "other"


class AgeRange(enum.StrEnum):
    UNDER_18 = "under_18"
    AGE_18_24 = "18_24"
    AGE_25_34 = "25_34"
    AGE_35_49 = "35_49"
    AGE_50_64 = "50_64"
    AGE_65_PLUS = "65_plus"
    PREFER_NOT = "prefer_not_to_say"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    PREFER_NOT = "prefer_not_to_say"


class Channel(enum.StrEnum):
    WEB = "web"
    API = "api"
    # Collected offline and imported by an admin (app.services.contributions.offline_intake).
    WORKSHOP = "workshop"
    PAPER = "paper"


class RejectReason(enum.StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class TagSource(enum.StrEnum):
    CONTRIBUTOR = "contributor"
    MODERATOR = "moderator"


ORGANISATION_NAME_MAX = 200
ORGANISATION_WEBSITE_MAX = 500
# How much of the attachments' text language detection, search, suggestions and campaign
# folding read: a word on page 200 of a long paper may be missed, but PostgreSQL's
# tsvector (at most 1 MB) holds even a text of distinct Chinese bigrams this long.
ASSIST_ATTACHMENT_CHARS = 50_000
QUEUE_FILTER_COLUMNS = ("language", "actor_type", "country")
REPORT_INDEX_COLUMNS = ("status", "round_id", "created_at", "language", "actor_type", "country",
                        "cluster_id", "detected_language", "channel", "id")


def public_title(title: str | None, redacted_text: str | None,
                 redacted_title: str | None) -> str:
    """`Submission.public_title` from the three columns, for code that reads Core rows."""
    if redacted_title is not None:
        return redacted_title
    return "" if redacted_text is not None else (title or "")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # The queue pages by date within a status (or across all: the next index). Both
        # carry the columns the queue filters on, so a filtered page is sifted in the
        # index instead of reading a wide row per candidate (at a million rows, "French,
        # youth, with an email": 41 -> 3 ms).
        Index("ix_submissions_status_created_at_id", "status", "created_at", "id",
              *QUEUE_FILTER_COLUMNS),
        Index("ix_submissions_round_id_status", "round_id", "status"),
        # Exports walk approved rows by id; the unfiltered queue ("all") pages by date.
        Index("ix_submissions_status_id", "status", "id"),
        Index("ix_submissions_created_at_id", "created_at", "id", "status",
              *QUEUE_FILTER_COLUMNS),
        # A campaign's pending members, oldest first (and its counts per status).
        Index("ix_submissions_cluster_id_status_created_at_id",
              "cluster_id", "status", "created_at", "id"),
        # The queue filtered by detected language pages by date within a status.
        Index("ix_submissions_detected_language_status_created_at_id",
              "detected_language", "status", "created_at", "id"),
        # Reports: every column the dashboard filters on or counts by, so its counts read
        # this narrow index instead of the wide rows (at a million rows on SQLite, a count
        # by language went from 1.5 s to 0.12 s).
        Index("ix_submissions_report", *REPORT_INDEX_COLUMNS),
        # Views about a paragraph of the strategy: the queue's filter, the counts per
        # paragraph (only the rows that name one are read).
        Index("ix_submissions_paragraph_key_status", "paragraph_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.PENDING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.WEB)

    language: Mapped[str | None] = mapped_column(String(8))
    # What app.services.text.langid read in the text (one of the six UN languages, or None).
    detected_language: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    actor_type: Mapped[ActorType | None] = mapped_column(enum_column(ActorType))
    country: Mapped[str | None] = mapped_column(String(2))
    # The paragraph of the strategy the view is about (`StrategyParagraph.key`, stable
    # across editions), checked against the current edition when sent.
    paragraph_key: Mapped[str | None] = mapped_column(String(64))

    consent_processing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_publication: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Moderation. The original text is never changed: the public version is separate.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[RejectReason | None] = mapped_column(enum_column(RejectReason))
    reject_note: Mapped[str | None] = mapped_column(Text)
    redacted_text: Mapped[str | None] = mapped_column(Text)
    # The title as published and sent to the reference group, when a moderator redacted
    # it ("" withholds it). See `public_title`.
    redacted_title: Mapped[str | None] = mapped_column(String(200))
    highlight: Mapped[str | None] = mapped_column(Text)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Abuse resistance: a retried API call with the same Idempotency-Key finds this row;
    # `flag` marks what a moderator should look at twice ("fast_fill": sent in seconds).
    idempotency_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # What that call sent (app.security.body_digest): a retry must send the same, else the
    # key would hand someone else's private link to whoever reuses it.
    idempotency_body_hash: Mapped[str | None] = mapped_column(String(64))
    flag: Mapped[str | None] = mapped_column(String(32))
    # The campaign of near-identical texts this one was folded into (app.services.assist.clusters).
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Answer.position")
    tags: Mapped[list[SubmissionTag]] = relationship(
        back_populates="submission", cascade="all, delete-orphan")
    personal: Mapped[PersonalData | None] = relationship(
        back_populates="submission", cascade="all, delete-orphan", uselist=False)
    organisation: Mapped[Organisation | None] = relationship(
        back_populates="submission", cascade="all, delete-orphan", uselist=False)
    keywords: Mapped[list[Keyword]] = relationship(secondary="submission_keywords",
                                                   order_by="Keyword.text")
    notes: Mapped[list[Note]] = relationship(back_populates="submission",
                                             cascade="all, delete-orphan",
                                             order_by="Note.created_at")
    attachments: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", order_by="Attachment.position")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_text(self) -> str:
        """Everything the contributor wrote: the answers, then the free text."""
        parts = [a.text for a in self.answers] + [self.body]
        return "\n\n".join(p for p in parts if p)

    @property
    def attachment_text(self) -> str:
        """The text read from the attached files, as the services that help moderators
        read it (language, search, suggestions, campaigns): the first
        ASSIST_ATTACHMENT_CHARS characters of all of them."""
        joined = "\n\n".join(a.text for a in self.attachments if a.text)
        return joined[:ASSIST_ATTACHMENT_CHARS]

    @property
    def public_text(self) -> str:
        """What may be shown beyond moderators: the redacted version when there is one."""
        return self.redacted_text if self.redacted_text is not None else self.full_text

    @property
    def public_title(self) -> str:
        """The title that may be shown beyond moderators: the moderator's redacted title
        when there is one; none for a view whose text was redacted without one (its
        original title may hold what redaction removed); the contributor's otherwise."""
        return public_title(self.title, self.redacted_text, self.redacted_title)

    def tag_codes(self, source: TagSource, kind: str | None = None) -> list[str]:
        return sorted(t.item.code for t in self.tags
                      if t.source == source and (kind is None or t.item.kind == kind))

    @property
    def is_editable(self) -> bool:
        return self.status == Status.PENDING

    def __repr__(self) -> str:
        return f"<Submission {self.reference}>"


class Answer(Base):
    """The contributor's answer to one of the round's guiding questions."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class SubmissionTag(Base):
    """A taxonomy item attached to a submission, by the contributor or by a moderator."""

    __tablename__ = "submission_tags"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_items.id"), primary_key=True,
                                         index=True)
    source: Mapped[TagSource] = mapped_column(enum_column(TagSource), primary_key=True)

    submission: Mapped[Submission] = relationship(back_populates="tags")
    item: Mapped[TaxonomyItem] = relationship(lazy="joined")


class PersonalData(Base):
    """Personal data, kept out of the submissions table so that reports, exports and the
    reference group never touch it by accident, and erasure is one row delete."""

    __tablename__ = "personal_data"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    age_range: Mapped[AgeRange | None] = mapped_column(enum_column(AgeRange))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))

    submission: Mapped[Submission] = relationship(back_populates="personal")


class Organisation(Base):
    """The organisation a view was sent on behalf of (issue #21), one row per view, kept
    apart like `PersonalData`: most views have none, and erasure is one row delete.

    `name_key` is the name folded (case, spaces, NFKC) so that the dashboard counts
    "UNESCO" and " unesco " once. `publish` is the contributor's consent to show the name
    with the published view; staff and the reference group always see it."""

    __tablename__ = "submission_organisations"
    __table_args__ = (Index("ix_submission_organisations_name_key", "name_key"),)

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(ORGANISATION_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(ORGANISATION_NAME_MAX))
    website: Mapped[str | None] = mapped_column(String(ORGANISATION_WEBSITE_MAX))
    publish: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship(back_populates="organisation")


class Keyword(Base):
    """A free keyword, stored normalized (NFKC, case-folded, single spaces)."""

    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubmissionKeyword(Base):
    __tablename__ = "submission_keywords"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    keyword_id: Mapped[int] = mapped_column(ForeignKey("keywords.id"), primary_key=True,
                                            index=True)


class Note(Base):
    """An internal note of a moderator on a submission; never shown outside the staff."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
