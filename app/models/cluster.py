"""Campaign clusters: near-identical submissions folded into one voice (issue #8).

The MinHash LSH index lives in the database, not in a process, so that every gunicorn
node folds against the same index:

* `submission_signatures`: each submission's MinHash signature (64 unsigned 32-bit values,
  256 bytes), to confirm a candidate by its estimated Jaccard similarity;
* `cluster_bands`: the signature cut into 16 bands of 4 values, each band hashed to 64
  bits; two submissions of a round that share one (band, hash) are candidates. The primary
  key (round_id, band, hash, submission_id) is the lookup index;
* `clusters`: a group of two or more near-identical submissions of a round, with its size,
  time span and languages kept up to date as members arrive or are erased.
  `submissions.cluster_id` points here (NULL for a submission that stands alone).

`cluster_bands` is derived data (rebuilt by `flask --app wsgi clusters rebuild`) and has no
foreign key: sixteen rows per submission at intake would mean sixteen more key checks.
`sample_submission_id` has no foreign key on purpose: submissions already point at
clusters, and a cycle of foreign keys would complicate creating and dropping the tables.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Cluster(Base):
    __tablename__ = "clusters"
    __table_args__ = (
        # The cluster list pages by size (biggest first) or by last arrival (newest first).
        Index("ix_clusters_size_id", "size", "id"),
        Index("ix_clusters_last_at_id", "last_at", "id"),
        Index("ix_clusters_round_id_size_id", "round_id", "size", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    size: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample_submission_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Cluster {self.id} size {self.size}>"


class SubmissionSignature(Base):
    __tablename__ = "submission_signatures"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class ClusterBand(Base):
    __tablename__ = "cluster_bands"

    round_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
