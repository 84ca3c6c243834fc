"""Views sent on behalf of an organisation (issue #21): the intake rules, storage,
correction, the contributor's copy and erasure."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Organisation, Submission
from app.services import ValidationFailed
from app.services.contributions import intake, organisations
from tests import factories

ORG = {"on_behalf_of_organisation": True, "organisation_name": "  Réseau   Sahel Numérique ",
       "organisation_website": "https://reseau-sahel.example.org/fr",
       "publish_organisation": True, "actor_type": "civil_society"}


def errors_of(session, round_, **fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        intake.submit(session, intake.SubmissionInput(
            **factories.submission_data(round_, **fields)))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    return {name: [str(m) for m in messages] for name, messages in caught.value.errors.items()}


def test_a_view_on_behalf_of_an_organisation_keeps_it(session, open_round):
    submission, _ = factories.make_submission(session, open_round, **ORG)
    row = session.get(Organisation, submission.id)
    assert row.name == "Réseau Sahel Numérique"  # plain text, spaces collapsed
    assert row.name_key == "reseau sahel numerique"
    assert row.website == "https://reseau-sahel.example.org/fr"
    assert row.publish is True
    assert intake.copy_of(submission)["organisation"] == {
        "name": "Réseau Sahel Numérique", "website": "https://reseau-sahel.example.org/fr",
        "publish": True}


def test_without_the_box_nothing_is_stored(session, open_round):
    submission, _ = factories.make_submission(
        session, open_round, organisation_name="Typed, then unticked",
        organisation_website="https://example.org")
    assert submission.organisation is None
    assert intake.copy_of(submission)["organisation"] is None
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"actor_type": "individual"}, "on_behalf_of_organisation", "individual"),
    ({"organisation_name": "   "}, "organisation_name", "required"),
    ({"organisation_name": None}, "organisation_name", "required"),
    ({"organisation_name": "x" * 201}, "organisation_name", "at most 200"),
    ({"organisation_name": "<b>ACME</b>"}, "organisation_name", "plain text"),
    ({"organisation_name": 42}, "organisation_name", "Must be text"),
    ({"organisation_website": "javascript:alert(1)"}, "organisation_website", "https://"),
    ({"organisation_website": "JavaScript://example.org/%0aalert(1)"}, "organisation_website",
     "https://"),
    ({"organisation_website": "data:text/html,hi"}, "organisation_website", "https://"),
    ({"organisation_website": "https://localhost"}, "organisation_website", "https://"),
    ({"organisation_website": "https://user:pw@example.org"}, "organisation_website",
     "https://"),
    ({"organisation_website": "https://example.org/" + "a" * 500}, "organisation_website",
     "at most 500"),
    ({"organisation_website": ["https://example.org"]}, "organisation_website", "Must be text"),
    ({"on_behalf_of_organisation": "yes"}, "on_behalf_of_organisation", "true or false"),
    ({"publish_organisation": "yes"}, "publish_organisation", "true or false"),
])
def test_bad_organisations_are_refused_with_a_field_error(session, open_round, fields, field,
                                                          fragment):
    errors = errors_of(session, open_round, **{**ORG, **fields})
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


def test_a_malformed_name_is_refused_even_unticked(session, open_round):
    errors = errors_of(session, open_round, organisation_name="a\x00b")
    assert "organisation_name" in errors


def test_every_actor_type_but_individual_may_name_an_organisation(session, open_round):
    for actor in ("government", "un_entity", "private_sector", "academia", "civil_society",
                  "youth", "technical_community", "other"):
        submission, _ = factories.make_submission(session, open_round,
                                                  **{**ORG, "actor_type": actor})
        assert submission.organisation is not None, actor


def test_correcting_a_view_changes_or_drops_its_organisation(session, open_round):
    submission, _ = factories.make_submission(session, open_round, **ORG)
    data = intake.SubmissionInput(**factories.submission_data(
        open_round, **{**ORG, "organisation_name": "ACME Labs", "organisation_website": "",
                       "publish_organisation": False}))
    intake.update(session, submission, data, version=submission.version)
    session.commit()
    row = session.get(Organisation, submission.id)
    assert (row.name, row.website, row.publish) == ("ACME Labs", None, False)
    data = intake.SubmissionInput(**factories.submission_data(open_round))
    intake.update(session, submission, data, version=submission.version)
    session.commit()
    assert session.get(Organisation, submission.id) is None


def test_erasure_clears_the_organisation(session, open_round):
    submission, _ = factories.make_submission(session, open_round, **ORG)
    intake.erase(session, submission)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    assert intake.copy_of(submission)["organisation"] is None


def test_names_fold_for_counting():
    assert organisations.name_key("  UNESCO ") == organisations.name_key("unesco")
    assert organisations.name_key("ＵＮＥＳＣＯ") == "unesco"  # full-width, NFKC
    assert organisations.name_key("جمعية   الإنترنت") == organisations.name_key("جمعية الانترنت")
