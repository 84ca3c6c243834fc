"""Issue #18 on the pages themselves: the audit log in sentences, zero counts in words,
the round page's folded filters and user titles in their own direction."""
from __future__ import annotations

import html

from app.services.accounts import users as users_service
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import login


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_audit_log_reads_as_sentences_in_the_readers_language(client, session,
                                                                  open_round):
    admin = login(client, session, "admin")
    amina = users_service.create_user(session, "amina@example.org",
                                      "correct horse battery staple 42", "moderator",
                                      name="Amina")
    submission, _token = factories.make_submission(session, open_round)
    moderation.decide(session, submission, by=amina, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    reference = submission.reference
    english = _text(client.get("/en/admin/audit"))
    assert f"Amina approved the view {reference}" in english
    assert f"{admin.email} signed in" in english
    assert "The system created the account Amina" in english
    arabic = _text(client.get("/ar/admin/audit"))
    assert f"موافقة Amina على الرأي {reference}" in arabic
    assert "<table" not in arabic and 'class="audit-list"' in arabic  # a list on phones
    chinese = _text(client.get("/zh/admin/audit"))
    assert f"Amina 批准了意见 {reference}" in chinese
    # Filters by kind of action and by person, chosen from lists.
    only_amina = _text(client.get("/fr/admin/audit?actor=amina@example.org"))
    assert f"Amina a approuvé l'avis {reference}" in only_amina
    assert "s'est connecté" not in only_amina and "Connexion de" not in only_amina
    assert '<option value="amina@example.org" selected>Amina (amina@example.org)</option>' \
        in only_amina
    approvals = _text(client.get("/ru/admin/audit?action=submission.approve"))
    assert f"Amina: одобрено — мнение {reference}" in approvals
    assert "вход в систему" not in approvals


def test_zero_counts_read_as_words(client, session, open_round):
    round_page = _text(client.get(f"/ar/rounds/{open_round.id}"))
    assert "لم يُنشر أي رأي بعد." in round_page and "نُشر 0" not in round_page
    assert "لم يرد أي رأي بعد" in _text(client.get(f"/ar/rounds/{open_round.id}/moderation"))
    assert "Aucun avis publié pour l'instant" in _text(client.get("/fr/rounds"))
    assert "尚无已发布的意见" in _text(client.get(f"/zh/rounds/{open_round.id}/open-data"))


def test_round_page_folds_its_filters_unless_one_is_applied(client, session, open_round):
    page = _text(client.get(f"/en/rounds/{open_round.id}"))
    assert '<details class="filters view-filters">' in page
    filtered = _text(client.get(f"/en/rounds/{open_round.id}?principle=P2"))
    assert '<details class="filters view-filters" open>' in filtered
