"""Approved, rejected and pending views of P2 in several languages, two of them redacted,
and a large group in two wordings: what the Word summary and the views page must quote,
and what must never leave moderation."""
from __future__ import annotations

from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user

ARABIC = "نريد إنترنت بسعر معقول في كل قرية، فالاتصال هو الشرط الأول للمشاركة."
ARABIC_HIGHLIGHT = "الاتصال هو الشرط الأول"
CHINESE = "人工智能的治理必须透明，公众应当参与决策。"
FRENCH = "Les données publiques doivent rester ouvertes et accessibles à tous."
ORIGINAL_TITLE = "Secret title Zanele Mokoena"
ORIGINAL_BODY = "Original body naming Zanele Mokoena of Soweto, zanele@example.org."
REDACTED_BODY = "Original body naming [name removed] of [place removed]."
REDACTED_TITLE = "A title fit to publish"
WITHHELD_TITLE = "Title with Thabo Nkosi in it"
WITHHELD_BODY = "Thabo Nkosi wrote this from his office."
WITHHELD_REDACTED = "A contributor wrote this from their office."
REJECTED = "Rejected view about connectivity spam spam."
PENDING = "Pending view still waiting for a moderator."
OTHER_CODE = "A view tagged P1 only, not P2."

# Two families of wording for the sub-themes of a large group.
CONNECTIVITY = ["Affordable internet reaches every village school only with public "
                "investment in fibre and towers {n}.",
                "Village schools need affordable internet: towers and fibre for "
                "rural connectivity {n}."]
SURVEILLANCE = ["Facial recognition cameras in our streets are surveillance without "
                "consent or oversight {n}.",
                "Surveillance cameras and facial recognition watch protesters without "
                "oversight or consent {n}."]


def build_views(session, open_round):
    """Approved P2 views in Arabic, Chinese, French and English (one redacted with a
    public title, one redacted with its title withheld), a rejected and a pending P2
    view, an approved P1 view, and 44 English P2 views tagged TH06 in two wordings."""
    moderator = make_user(session, "moderator")

    def add(tags, *, action="approve", highlight=None, redacted_text=None,
            redacted_title=None, **fields):
        submission, _ = factories.make_submission(session, open_round, **fields)
        if action is None:
            return submission
        moderation.decide(session, submission, by=moderator, action=action,
                          version=submission.version, reason="spam" if action == "reject"
                          else None, tags=tagging.TagInput(**tags), highlight=highlight,
                          redacted_text=redacted_text, redacted_title=redacted_title)
        session.commit()
        return submission

    add({"principles": ["P2"], "themes": ["TH12"]}, highlight=ARABIC_HIGHLIGHT, language="ar",
        title="الاتصال أولا", body=ARABIC, actor_type="civil_society", country="EG")
    add({"principles": ["P2", "P3"], "technologies": ["T01"]}, language="zh", title="透明",
        body=CHINESE, actor_type="government", country="CN")
    add({"principles": ["P2"]}, language="fr", title="Données ouvertes", body=FRENCH,
        actor_type="academia", country="FR")
    add({"principles": ["P2"], "themes": ["TH12"]}, title=ORIGINAL_TITLE, body=ORIGINAL_BODY,
        redacted_text=REDACTED_BODY, redacted_title=REDACTED_TITLE, country="ZA",
        email="zanele@example.org")
    add({"principles": ["P2"], "themes": ["TH12"]}, title=WITHHELD_TITLE, body=WITHHELD_BODY,
        redacted_text=WITHHELD_REDACTED, country="ZA")
    add({"principles": ["P2"]}, action="reject", body=REJECTED, title="Rejected title")
    add({"principles": ["P2"]}, action=None, body=PENDING, title="Pending title")
    add({"principles": ["P1"]}, body=OTHER_CODE, title="Other code")
    for n in range(22):
        for family in (CONNECTIVITY, SURVEILLANCE):
            add({"principles": ["P2"], "themes": ["TH06"]}, title=f"View {family[0][:12]} {n}",
                body=family[n % 2].format(n=n), actor_type="youth" if n % 3 else "private_sector",
                country="KE" if n % 2 else "BR")
    return open_round
