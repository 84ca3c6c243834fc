"""How far two coders agree: Krippendorff's alpha per principle and commitment over the
doubly coded submissions (`app.services.review.agreement` runs the double coding; this
module only measures it, for the dashboard and the Word summaries)."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Submission
from app.models.coding import Coding, CodingCode, CodingState, DoubleCoding
from app.services.reporting import reports
from app.services.review.agreement import CODED_KINDS, MIN_UNITS


def binary_alpha(units: int, present: int, disagreements: int) -> float | None:
    """Krippendorff's alpha, nominal level, for one code seen as present/absent by two
    coders on each of `units` units: `present` counts the codings (of 2 x units) that
    have the code, `disagreements` the units where only one coder has it.

    With two coders and no missing values each unit adds its ordered value pairs to the
    coincidence matrix once each way, so n = 2 x units values, o(0,1) = o(1,0) =
    disagreements, n1 = present, n0 = n - n1, and

        alpha = 1 - (n - 1) * (o01 + o10) / (n0 * n1 + n1 * n0)
              = 1 - (n - 1) * disagreements / (n0 * n1)

    None when it is undefined or meaningless: fewer than MIN_UNITS units, or no variation
    (every value the same, so no disagreement could be expected)."""
    n = 2 * units
    absent = n - present
    if units < MIN_UNITS or present == 0 or absent == 0:
        return None
    return 1.0 - (n - 1) * disagreements / (absent * present)


def alpha_for_pairs(pairs: Iterable[tuple[bool, bool]]) -> float | None:
    """Alpha for one code from (coder 1 has it, coder 2 has it) per unit."""
    units = present = disagreements = 0
    for first, second in pairs:
        units += 1
        present += bool(first) + bool(second)
        disagreements += bool(first) != bool(second)
    return binary_alpha(units, present, disagreements)


@dataclass
class CodeAgreement:
    code: str
    kind: str
    alpha: float | None
    present: int  # codings with the code, out of 2 x units


@dataclass
class Agreement:
    units: int
    codes: list[CodeAgreement]

    def for_code(self, code: str) -> CodeAgreement | None:
        return next((c for c in self.codes if c.code == code.upper()), None)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Agreement:
        return cls(units=data["units"], codes=[CodeAgreement(**c) for c in data["codes"]])


def agreement(session: Session, f: reports.ReportFilter | None = None) -> Agreement:
    """Alpha per principle and commitment over the doubly coded submissions matching the
    report filter (its code ignored: a themed filter would keep only units where the code
    is a final tag, and bias the measure).

    Three aggregate queries, whatever the number of units: the units, the codings that
    have each code, and per code the units where only one of the two codings has it."""
    f = dataclasses.replace(f or reports.ReportFilter(), code=None)
    items = reports.items_for(session, f)
    done = [DoubleCoding.state != CodingState.AWAITING, *reports.conditions(f, counting=True)]
    units = session.scalar(
        select(func.count()).select_from(DoubleCoding)
        .join(Submission, Submission.id == DoubleCoding.submission_id).where(*done)) or 0
    coded = (select(CodingCode.code)
             .join(Coding, Coding.id == CodingCode.coding_id)
             .join(DoubleCoding, DoubleCoding.submission_id == Coding.submission_id)
             .join(Submission, Submission.id == Coding.submission_id).where(*done))
    present = {code: count for code, count in session.execute(
        coded.add_columns(func.count()).group_by(CodingCode.code))} if units else {}
    alone = (coded.group_by(Coding.submission_id, CodingCode.code)
             .having(func.count() == 1).subquery())
    disagreements = {code: count for code, count in session.execute(
        select(alone.c.code, func.count()).group_by(alone.c.code))} if units else {}
    return Agreement(units=units, codes=[
        CodeAgreement(code=item.code, kind=kind.value,
                      alpha=binary_alpha(units, present.get(item.code, 0),
                                         disagreements.get(item.code, 0)),
                      present=present.get(item.code, 0))
        for kind in CODED_KINDS for item in items[kind]])
