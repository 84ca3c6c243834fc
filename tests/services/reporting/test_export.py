"""Exports for the reference group (app/services/reporting/export.py), at the service level."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from app.models import Role, User
from app.services.reporting import export, reports
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user


def _approve(session, open_round, **overrides):
    moderator = session.scalar(select(User).where(User.role == Role.MODERATOR)) or \
        make_user(session, "moderator")
    submission, _ = factories.make_submission(session, open_round, **overrides)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"], commitments=["C1"]))
    session.commit()
    return submission


def test_rows_hold_the_public_text_and_no_personal_data_unless_asked(session, open_round):
    submission = _approve(session, open_round, age_range="18_24", gender="female",
                          email="me@example.org", title="=HYPERLINK(\"x\")")
    rows = list(export.iter_rows(session, reports.ReportFilter()))
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == submission.reference
    assert row["principles"] == ["P2"] and row["commitments"] == ["C1"]
    assert row["age_range"] is None and row["gender"] is None
    assert "me@example.org" not in json.dumps(row)
    personal = next(export.iter_rows(session, reports.ReportFilter(), with_personal=True))
    assert (personal["age_range"], personal["gender"]) == ("18_24", "female")


def test_rows_come_in_batches_in_id_order(session, open_round):
    made = [_approve(session, open_round, body=f"View number {i} about access.")
            for i in range(5)]
    rows = list(export.iter_rows(session, reports.ReportFilter(), batch=2))
    assert [r["reference"] for r in rows] == [s.reference for s in made]


def test_csv_is_spreadsheet_safe_and_jsonl_is_exact(session, open_round):
    _approve(session, open_round, title="=HYPERLINK(\"http://x\")", body="+1 for access")
    rows = list(export.iter_rows(session, reports.ReportFilter()))
    text = "".join(export.csv_chunks(iter(rows)))
    assert text.startswith("\ufeff")
    header, record = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(header) == export.COLUMNS
    cells = dict(zip(header, record, strict=True))
    assert cells["title"].startswith("'=") and cells["body"] == "'+1 for access"
    assert cells["principles"] == "P2"
    lines = "".join(export.jsonl_chunks(iter(rows))).splitlines()
    assert json.loads(lines[0])["title"] == "=HYPERLINK(\"http://x\")"  # data, not a sheet


def test_chunks_keep_memory_flat(session):
    rows = ({column: "x" for column in export.COLUMNS} for _ in range(2500))
    chunks = list(export.csv_chunks(rows, per_chunk=1000))
    assert len(chunks) == 3  # 1,000 rows a chunk (the header with the first), the rest last
    assert sum(chunk.count("\r\n") for chunk in chunks) == 2501


def test_rows_name_the_strategy_paragraph_a_view_is_about(session, open_round):
    about = _approve(session, open_round, body="On the inclusion paragraph.")
    about.paragraph_key = "principles.p2"
    _approve(session, open_round, body="About nothing in particular.")
    session.commit()
    rows = list(export.iter_rows(session, reports.ReportFilter()))
    assert [row["paragraph"] for row in rows] == ["principles.p2", None]
    header = next(csv.reader(io.StringIO("".join(export.csv_chunks(iter(rows))).lstrip("\ufeff"))))
    assert header[-1] == "paragraph"
