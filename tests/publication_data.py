"""A round with every kind of submission, for the publication tests: what may be published
and what must never leave the platform."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.services.contributions import intake
from app.services.review import moderation
from app.services.review.tagging import TagInput
from tests import factories
from tests.helpers import make_user

SECRET = "XYZZY-SECRET-PHRASE"
EMAILS = ("alice.private@example.org", "bob.private@example.org", "carol.private@example.org",
          "dan.private@example.org", "erin.private@example.org", "fay.private@example.org")
# Values and English labels of the personal fields used below: none may appear publicly.
PERSONAL_MARKERS = ("25_34", "50_64", "65_plus", "female", "Woman", "25 to 34", "50 to 64",
                    "65 or over", "Another gender")
# Texts of views that must not be published.
HIDDEN = (SECRET, "SECRET-TITLE-OF-REDACTED", "NOCONSENT-PHRASE", "PENDING-PHRASE",
          "REJECTED-PHRASE", "ERASED-PHRASE", "OTHER-ROUND-PHRASE")
REDACTED = "Affordable connectivity should come first, said a teacher from [removed]."


@dataclass
class Mixed:
    round: Any
    other_round: Any
    moderator: Any
    published: dict[str, Any] = field(default_factory=dict)  # name -> submission
    hidden: dict[str, Any] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)


def approve(session: Any, moderator: Any, submission: Any, *, principles=("P2",),
            commitments=(), technologies=(), themes=(), redacted_text=None) -> Any:
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=TagInput(principles=list(principles), commitments=list(commitments),
                                    technologies=list(technologies), themes=list(themes)),
                      redacted_text=redacted_text)
    session.commit()
    return submission


def build(session: Any) -> Mixed:
    factories.load_taxonomy(session)
    round_ = factories.make_round(session)
    other = factories.make_round(session, title={"en": "Another round"})
    moderator = make_user(session, "moderator", "mod-publication@example.org")
    data = Mixed(round=round_, other_round=other, moderator=moderator)

    def send(**fields: Any) -> Any:
        submission, token = factories.make_submission(session, fields.pop("round", round_),
                                                      **fields)
        data.tokens.append(token)
        return submission

    redacted = send(title="SECRET-TITLE-OF-REDACTED", body=f"I am {SECRET}, call me.",
                    email=EMAILS[0], age_range="25_34", gender="female", country="KE")
    approve(session, moderator, redacted, principles=["P2"], commitments=["C1"],
            technologies=["T15"], themes=["TH01"], redacted_text=REDACTED)
    plain = send(title="Drones for disaster relief", body="Drones could map floods quickly.",
                 email=EMAILS[1], age_range="50_64", gender="other", country="FR",
                 actor_type="academia", language="en")
    approve(session, moderator, plain, principles=["P3"], technologies=["T05"])
    data.published = {"redacted": redacted, "plain": plain}

    no_consent = send(title="Private view", body="NOCONSENT-PHRASE", email=EMAILS[2],
                      consent_publication=False, age_range="65_plus")
    approve(session, moderator, no_consent)
    pending = send(title="Waiting", body="PENDING-PHRASE", email=EMAILS[3])
    rejected = send(title="Buy now", body="REJECTED-PHRASE", email=EMAILS[4])
    moderation.decide(session, rejected, by=moderator, action="reject",
                      version=rejected.version, reason="spam")
    session.commit()
    erased = send(title="Changed my mind", body="ERASED-PHRASE", email=EMAILS[5])
    approve(session, moderator, erased)
    intake.erase(session, erased)
    session.commit()
    elsewhere = send(round=other, title="Elsewhere", body="OTHER-ROUND-PHRASE")
    approve(session, moderator, elsewhere)
    data.hidden = {"no_consent": no_consent, "pending": pending, "rejected": rejected,
                   "erased": erased, "elsewhere": elsewhere}
    return data
