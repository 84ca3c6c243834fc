"""All models, imported here so that `Base.metadata` knows every table."""
from app.models.audit import AuditEvent
from app.models.consultation import Question, Round
from app.models.site_text import SiteText
from app.models.snapshot import RoundSnapshot
from app.models.submission import (
    ActorType,
    AgeRange,
    Answer,
    Channel,
    Gender,
    Keyword,
    Note,
    PersonalData,
    RejectReason,
    Status,
    Submission,
    SubmissionKeyword,
    SubmissionTag,
    TagSource,
)
from app.models.taxonomy import ItemKind, StrategyVersion, TaxonomyItem
from app.models.user import ApiToken, Role, User

__all__ = [
    "ActorType", "AgeRange", "Answer", "ApiToken", "AuditEvent", "Channel", "Gender",
    "ItemKind", "Keyword", "Note", "PersonalData", "Question", "RejectReason", "Role", "Round",
    "RoundSnapshot", "SiteText", "Status", "StrategyVersion", "Submission", "SubmissionKeyword",
    "SubmissionTag", "TagSource", "TaxonomyItem", "User",
]
