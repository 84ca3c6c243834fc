"""The text that full-text search reads: one folded document per submission (issue #8).

`submission_search.document` holds the submission's title and public text folded by
`app.services.text.textnorm` (Arabic and accents folded, case-folded) with Chinese, Japanese and
Korean runs written as space-separated character bigrams, so that each database's own
word splitter finds the same terms as the query does. The index over it differs per engine:

* SQLite: an FTS5 table reading this one (external content), kept in step by triggers;
* PostgreSQL: a stored generated column ``document_tsv = to_tsvector('simple', document)``
  with a GIN index ('simple': the text is already folded and in any language, so no
  stemming or stop words).

Both are created by DDL events here (so `metadata.create_all` in the tests builds them) and
by the migration c0ffee000001; `include_object` keeps Alembic's comparison off them (the
generated tsvector column would need a PostgreSQL-only type and expression in the model).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, ForeignKey, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

FTS_TABLE = "submission_search_fts"
TSV_COLUMN = "document_tsv"
GIN_INDEX = "ix_submission_search_document_tsv"

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE submission_search_fts USING fts5(document, "
    "content='submission_search', content_rowid='submission_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER submission_search_ai AFTER INSERT ON submission_search BEGIN "
    "INSERT INTO submission_search_fts(rowid, document) "
    "VALUES (new.submission_id, new.document); END",
    "CREATE TRIGGER submission_search_ad AFTER DELETE ON submission_search BEGIN "
    "INSERT INTO submission_search_fts(submission_search_fts, rowid, document) "
    "VALUES ('delete', old.submission_id, old.document); END",
    "CREATE TRIGGER submission_search_au AFTER UPDATE ON submission_search BEGIN "
    "INSERT INTO submission_search_fts(submission_search_fts, rowid, document) "
    "VALUES ('delete', old.submission_id, old.document); "
    "INSERT INTO submission_search_fts(rowid, document) "
    "VALUES (new.submission_id, new.document); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS submission_search_au",
    "DROP TRIGGER IF EXISTS submission_search_ad",
    "DROP TRIGGER IF EXISTS submission_search_ai",
    "DROP TABLE IF EXISTS submission_search_fts",
)
POSTGRESQL_DDL = (
    # Stored, so that a phrase check (Chinese bigrams in a row) or a filter row by row reads
    # the vector instead of parsing the document again (66 µs a row).
    "ALTER TABLE submission_search ADD COLUMN document_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, document)) STORED",
    f"CREATE INDEX {GIN_INDEX} ON submission_search USING gin (document_tsv)",
)


class SubmissionSearch(Base):
    """The folded text of one submission, for the full-text index (see the module doc)."""

    __tablename__ = "submission_search"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    document: Mapped[str] = mapped_column(Text, default="")


for _statement in SQLITE_DDL:
    event.listen(SubmissionSearch.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(SubmissionSearch.__table__, "before_drop",
                 DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    event.listen(SubmissionSearch.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """For Alembic: leave out the FTS5 table (and its shadow tables), the tsvector column
    and its GIN index, which the models describe by DDL events rather than as such."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(FTS_TABLE):
        return False
    return not ((type_ == "index" and name == GIN_INDEX)
                or (type_ == "column" and name == TSV_COLUMN))
