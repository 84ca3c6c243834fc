"""Views sent on behalf of an organisation (issue #21): the rules for its name and website.

`intake` calls `check` while it validates a view, with its own field-error collector, and
`apply` when it stores one. An organisation is refused for someone answering as an
individual (`ActorType.INDIVIDUAL`, the only actor type that is a person rather than a
group); every other actor type may name one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from app.i18n import lazy_gettext as _l
from app.i18n import lazy_ngettext
from app.models import (
    ORGANISATION_NAME_MAX,
    ORGANISATION_WEBSITE_MAX,
    ActorType,
    Organisation,
    Submission,
)
from app.services.text import textnorm

# A web address and nothing else: http or https (never javascript:, data: or a relative
# path), a host with a dot, no user or password, an optional port, then anything but
# spaces, control, bidirectional-override and quoting characters. The same pattern is in
# app/api/openapi.json (NewSubmission.organisation_website), so the document and the
# code agree on what is accepted.
_URL_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\"<>\\`^{|}]"
_HOST_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\"<>\\`^{|}/?#@:]"
WEBSITE = re.compile(rf"^[Hh][Tt][Tt][Pp][Ss]?://{_HOST_CHAR}+\.{_HOST_CHAR}+(:[0-9]{{1,5}})?"
                     rf"([/?#]{_URL_CHAR}*)?$")
FIELDS = ("on_behalf_of_organisation", "organisation_name", "organisation_website",
          "publish_organisation")


class _Checker(Protocol):
    errors: dict[str, list[Any]]

    def fail(self, name: str, message: Any) -> None: ...

    def text(self, name: str, value: Any, *, maximum: int, required: bool,
             multiline: bool = True) -> str: ...

    def flag(self, name: str, value: Any, default: bool) -> bool: ...


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    website: str | None
    publish: bool


def name_key(name: str) -> str:
    """The name folded for counting: case, spaces, accents and width do not matter."""
    return textnorm.normalize(name)[:ORGANISATION_NAME_MAX]


def check(check: _Checker, actor_type: ActorType | None, on_behalf: Any, name: Any,
          website: Any, publish: Any) -> OrganisationInput | None:
    """The organisation a view is sent on behalf of, or None; field errors go to `check`.

    A name or website sent with the box unticked must still be well formed (every value
    sent gets an answer) but is not stored: a form filled with JavaScript off keeps what
    was typed before the box was unticked."""
    ticked = check.flag("on_behalf_of_organisation", on_behalf, False)
    if ticked and actor_type == ActorType.INDIVIDUAL:
        check.fail("on_behalf_of_organisation", _l(
            "You chose to answer as an individual. To answer on behalf of an organisation, "
            "choose the kind of organisation you belong to, or untick this box."))
    clean_name = _name(check, name, required=ticked)
    clean_website = _website(check, website)
    consent = check.flag("publish_organisation", publish, False)
    if not ticked or not clean_name:
        return None
    return OrganisationInput(name=clean_name, website=clean_website, publish=consent)


def _name(check: _Checker, value: Any, *, required: bool) -> str:
    if isinstance(value, str) and ("<" in value or ">" in value):
        check.fail("organisation_name", _l(
            "Write the name as plain text, without the characters < and >."))
        return ""
    return check.text("organisation_name", value, maximum=ORGANISATION_NAME_MAX,
                      required=required, multiline=False)


def _website(check: _Checker, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        check.fail("organisation_website", _l("Must be text."))
        return None
    if len(value) > ORGANISATION_WEBSITE_MAX:
        check.fail("organisation_website", lazy_ngettext(
            "Use at most %(num)d character (you used %(used)d).",
            "Use at most %(num)d characters (you used %(used)d).",
            ORGANISATION_WEBSITE_MAX, used=len(value)))
        return None
    # match, not fullmatch: "$" lets a final line break through, as JSON Schema's
    # pattern does, and it is stripped below.
    if not WEBSITE.match(value):
        check.fail("organisation_website", _l(
            "Enter the address of a website starting with https:// or http://, like "
            "https://example.org, or leave this field empty."))
        return None
    return value.strip()


def apply(submission: Submission, organisation: OrganisationInput | None) -> None:
    """Store (or drop) the organisation of a view being saved."""
    if organisation is None:
        submission.organisation = None
        return
    row = submission.organisation or Organisation()
    row.name = organisation.name
    row.name_key = name_key(organisation.name)
    row.website = organisation.website
    row.publish = organisation.publish
    submission.organisation = row


def as_dict(organisation: Organisation | None) -> dict[str, Any] | None:
    """What staff, the reference group and the contributor read: None when there is none."""
    if organisation is None:
        return None
    return {"name": organisation.name, "website": organisation.website,
            "publish": organisation.publish}
