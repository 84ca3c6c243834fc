"""Full-text search across languages and detected language (issue #8)

`submissions.detected_language` (what py3langid reads in the text; indexed for the queue
filter) and `submission_search`, one folded document per submission (see
app/models/search.py), indexed per engine: an FTS5 table kept by triggers on SQLite; on
PostgreSQL a stored generated column to_tsvector('simple', document) with a GIN index.

Existing rows are not indexed here (folding needs the application's Python code): run
`flask --app wsgi search reindex` once after upgrading a database that has submissions.

Revision ID: c0ffee000001
Revises: 1013c4d31d6d
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000001'
down_revision = '1013c4d31d6d'
branch_labels = None
depends_on = None

FTS = "submission_search_fts"
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
    "ALTER TABLE submission_search ADD COLUMN document_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, document)) STORED",
    "CREATE INDEX ix_submission_search_document_tsv ON submission_search "
    "USING gin (document_tsv)",
)


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detected_language', sa.String(length=8), nullable=True))
        batch_op.create_index('ix_submissions_detected_language_status_created_at_id',
                              ['detected_language', 'status', 'created_at', 'id'], unique=False)

    op.create_table(
        'submission_search',
        sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_submission_search_submission_id_submissions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_search')),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_table('submission_search')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_detected_language_status_created_at_id')
        batch_op.drop_column('detected_language')
