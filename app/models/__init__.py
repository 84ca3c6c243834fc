"""All models, imported here so that `Base.metadata` knows every table."""
from app.models.attachment import Attachment
from app.models.audit import AuditEvent
from app.models.cluster import Cluster, ClusterBand, SubmissionSignature
from app.models.coding import Coding, CodingCode, CodingState, DoubleCoding, DoubleCodingShare
from app.models.consultation import Question, Round
from app.models.offline import OfflineImport, SubmissionProvenance
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.publication import published_views_index
from app.models.reference import ReferenceVersion
from app.models.response import ResponseChange, ResponseStatus, RoundResponse
from app.models.search import SubmissionSearch
from app.models.site_text import SiteText
from app.models.snapshot import RoundSnapshot
from app.models.strategy_text import (
    EditionStatus,
    StrategyChange,
    StrategyChangeView,
    StrategyEdition,
    StrategyParagraph,
)
from app.models.submission import (
    ORGANISATION_NAME_MAX,
    ORGANISATION_WEBSITE_MAX,
    ActorType,
    AgeRange,
    Answer,
    Channel,
    Gender,
    Keyword,
    Note,
    Organisation,
    PersonalData,
    RejectReason,
    Status,
    Submission,
    SubmissionKeyword,
    SubmissionTag,
    TagSource,
)
from app.models.suggest import LexiconEntry, SubmissionSuggestion, SuggestModel
from app.models.taxonomy import KIND_OF_GROUP, ItemKind, StrategyVersion, TaxonomyItem
from app.models.user import ApiToken, Role, User
from app.models.workshop import Workshop

__all__ = [
    "KIND_OF_GROUP",
    "ORGANISATION_NAME_MAX",
    "ORGANISATION_WEBSITE_MAX",
    "ActorType",
    "AgeRange",
    "Answer",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Channel",
    "Cluster",
    "ClusterBand",
    "Coding",
    "CodingCode",
    "CodingState",
    "DoubleCoding",
    "DoubleCodingShare",
    "EditionStatus",
    "Gender",
    "ItemKind",
    "Keyword",
    "LexiconEntry",
    "Note",
    "OfflineImport",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "PersonalData",
    "Question",
    "ReferenceVersion",
    "RejectReason",
    "ResponseChange",
    "ResponseStatus",
    "Role",
    "Round",
    "RoundResponse",
    "RoundSnapshot",
    "SiteText",
    "Status",
    "StrategyChange",
    "StrategyChangeView",
    "StrategyEdition",
    "StrategyParagraph",
    "StrategyVersion",
    "Submission",
    "SubmissionKeyword",
    "SubmissionProvenance",
    "SubmissionSearch",
    "SubmissionSignature",
    "SubmissionSuggestion",
    "SubmissionTag",
    "SuggestModel",
    "TagSource",
    "TaxonomyItem",
    "User",
    "Workshop",
    "published_views_index",
]
