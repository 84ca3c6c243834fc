"""All models, imported here so that `Base.metadata` knows every table."""
from app.models.consultation import Question, Round
from app.models.submission import (
    ActorType, AgeRange, Answer, Channel, Gender, PersonalData, Status, Submission,
    SubmissionTag, TagSource,
)
from app.models.taxonomy import ItemKind, StrategyVersion, TaxonomyItem

__all__ = [
    "ActorType", "AgeRange", "Answer", "Channel", "Gender", "ItemKind", "PersonalData",
    "Question", "Round", "Status", "StrategyVersion", "Submission", "SubmissionTag",
    "TagSource", "TaxonomyItem",
]
