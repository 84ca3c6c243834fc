"""Translated labels for the codes that users see (enums and fixed choices)."""
from app.i18n import lazy_gettext as _l
from app.models import ActorType, AgeRange, Channel, Gender, RejectReason, Role, Status

ACTOR_TYPES = {
    ActorType.GOVERNMENT: _l("Government"),
    ActorType.UN_ENTITY: _l("United Nations entity"),
    ActorType.PRIVATE_SECTOR: _l("Private sector"),
    ActorType.ACADEMIA: _l("Academia and research"),
    ActorType.CIVIL_SOCIETY: _l("Civil society"),
    ActorType.YOUTH: _l("Youth organization or young person"),
    ActorType.TECHNICAL_COMMUNITY: _l("Technical community"),
    ActorType.INDIVIDUAL: _l("Individual"),
    ActorType.OTHER: _l("Other"),
}

AGE_RANGES = {
    AgeRange.UNDER_18: _l("Under 18"),
    AgeRange.AGE_18_24: _l("18 to 24"),
    AgeRange.AGE_25_34: _l("25 to 34"),
    AgeRange.AGE_35_49: _l("35 to 49"),
    AgeRange.AGE_50_64: _l("50 to 64"),
    AgeRange.AGE_65_PLUS: _l("65 or over"),
    AgeRange.PREFER_NOT: _l("Prefer not to say"),
}

GENDERS = {
    Gender.FEMALE: _l("Woman"),
    Gender.MALE: _l("Man"),
    Gender.OTHER: _l("Another gender"),
    Gender.PREFER_NOT: _l("Prefer not to say"),
}

STATUSES = {
    Status.PENDING: _l("Waiting for review"),
    Status.APPROVED: _l("Accepted"),
    Status.REJECTED: _l("Not accepted"),
    Status.WITHDRAWN: _l("Withdrawn and erased"),
}

REJECT_REASONS = {
    RejectReason.SPAM: _l("Spam or advertising"),
    RejectReason.ABUSIVE: _l("Abusive or hateful content"),
    RejectReason.OFF_TOPIC: _l("Not about the UN and new technologies"),
    RejectReason.DUPLICATE: _l("Duplicate of another submission"),
    RejectReason.PERSONAL_DATA: _l("Contains personal data that cannot be removed"),
    RejectReason.OTHER: _l("Other reason"),
}

ROLES = {
    Role.ADMIN: _l("Administrator"),
    Role.MODERATOR: _l("Moderator"),
    Role.REFERENCE: _l("Reference group member"),
}

CHANNELS = {
    Channel.WEB: _l("Web form"),
    Channel.API: _l("API"),
    Channel.WORKSHOP: _l("Workshop"),
    Channel.PAPER: _l("Paper form"),
}

# Attachments (issue #21), by the content type decided when the file arrived.
FILE_TYPES = {
    "application/pdf": _l("PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        _l("Word document (DOCX)"),
    "application/vnd.oasis.opendocument.text": _l("OpenDocument text (ODT)"),
    "text/plain": _l("Plain text"),
}


def file_type_label(content_type: str) -> str:
    """"PDF", "Word document (DOCX)"…: what the contributor, staff and the public read of
    a file's type (its content type when it is none of the kinds taken)."""
    label = FILE_TYPES.get(content_type)
    return str(label) if label is not None else content_type
