"""The queue for triage and the review page within reach (issue #16), through the pages."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from sqlalchemy import delete, select

from app.i18n import format_waited
from app.models import Submission, SubmissionSuggestion, TaxonomyItem
from app.services.assist import stored_suggestions
from app.services.contributions import intake
from app.services.review import moderation
from tests import factories
from tests.helpers import csrf_token, login
from tests.views.test_query_counts import counted

DRONES = "Drones carry medicine to the refugee camps; artificial intelligence plans the routes."
LONG_TITLE = ("Digital public infrastructure must reach rural women and the people who live "
              "far from any city, with their consent")


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", body, re.S)


def suggest(session, submission, code: str, confidence: float) -> None:
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == code))
    session.add(SubmissionSuggestion(submission_id=submission.id, item_id=item.id,
                                     confidence=confidence))
    session.commit()


def test_a_row_shows_what_triage_needs(client, session, open_round):
    answer_round = factories.make_round(session, questions=1)
    question = answer_round.questions[0]
    body = ("Rural schools need connectivity before anything else. " * 6).strip()
    submission, _ = factories.make_submission(
        session, answer_round, title=LONG_TITLE, language="fr", body=body,
        answers={question.id: "Les écoles rurales d'abord."}, actor_type="academia",
        country="SN")
    # What intake stored is replaced by known suggestions: this test is about the display.
    session.execute(delete(SubmissionSuggestion)
                    .where(SubmissionSuggestion.submission_id == submission.id))
    suggest(session, submission, "P3", 0.81)
    suggest(session, submission, "P1", 0.42)
    suggest(session, submission, "C2", 0.64)
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    row = next(r for r in rows(html) if submission.reference in r)
    # The whole title, in its own language and direction.
    assert f'lang="fr">{LONG_TITLE}</a>' in row
    # The text as it begins, answers first, cut between words at about 200 characters.
    snippet = re.search(r'<p class="snippet" dir="auto" lang="fr">(.*?)</p>', row, re.S).group(1)
    assert snippet.startswith("Les écoles rurales d&#39;abord. Rural schools need")
    assert snippet.endswith("…") and 150 < len(snippet) <= 201
    assert snippet[:-1].rstrip().split(" ")[-1] in body.split(" ")
    assert "Academia" in row and "Senegal" in row and "French" in row
    assert re.search(r'data-label="Waiting"><time datetime="[^"]+" title="[^"]+">'
                     r'\d+ seconds?</time>', row)
    # The stored top principle and commitment (not the weaker P1).
    assert re.findall(r'class="suggestion-chip"[^>]*>(\w+)<', row) == ["P3", "C2"]
    assert "81%" in row and "64%" in row and "P1" not in row


def test_a_campaign_row_shows_its_size(client, session, open_round):
    text = "We ask the UN to protect our data and to consult the villages before any app."
    for _ in range(3):
        factories.make_submission(session, open_round, title="Our data", body=text)
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    assert all("campaign of 3" in row for row in rows(html))


def test_newest_or_oldest_first_and_fifty_or_a_hundred_a_page(client, session, open_round):
    for n in range(105):
        factories.make_submission(session, open_round, title=f"View number {n:03d}")
    login(client, session, "moderator")
    oldest = client.get("/en/moderate").get_data(as_text=True)
    assert len(rows(oldest)) == 50 and "View number 000" in rows(oldest)[0]
    assert "Submissions, oldest first" in oldest
    newest = client.get("/en/moderate?order=newest").get_data(as_text=True)
    assert "View number 104" in rows(newest)[0] and "Submissions, newest first" in newest
    # The next page keeps the order and goes on from there.
    following = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', newest).group(1)
    assert "order=newest" in following
    page2 = client.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert "View number 054" in rows(page2)[0]
    hundred = client.get("/en/moderate?per_page=100").get_data(as_text=True)
    assert len(rows(hundred)) == 100
    assert re.search(r'href="[^"]*per_page=100[^"]*" aria-current="true">100 a page', hundred)
    # Review links carry the order, so that "next" follows it.
    assert "order=newest" in re.search(r'href="([^"]*/moderate/submissions/\d+[^"]*)"',
                                       newest).group(1)
    # Any other size is the default one.
    assert len(rows(client.get("/en/moderate?per_page=100000").get_data(as_text=True))) == 50


def test_select_this_page_works_without_javascript(client, session, open_round):
    for n in range(3):
        factories.make_submission(session, open_round, title=f"View {n}")
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" class="select-page" id="select-page">Select this page',
                     html).group(1)
    assert "select=page" in link
    ticked = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert ticked.count('name="selected"') == 3
    assert len(re.findall(r'name="selected" value="[\d:]+" id="sel-\d+" checked', ticked)) == 3
    assert "Clear the selection" in ticked
    # Bulk actions come before the list.
    assert html.index('class="bulk-bar"') < html.index('<table class="queue"')


def test_enter_on_a_box_sends_no_bulk_action(client, session, open_round):
    """The bulk form's first (default) button carries no action: a browser's implicit
    submission changes nothing."""
    submission, _ = factories.make_submission(session, open_round, title="View")
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    form = html[html.index('id="bulk-form"'):]
    assert form.index('value="" hidden') < form.index('value="approve"')
    response = client.post("/en/moderate/bulk", data={
        "csrf_token": csrf_token(html), "action": "",
        "selected": f"{submission.id}:{submission.version}"}, follow_redirects=True)
    assert "Select at least one submission and an action." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Submission, submission.id).status.value == "pending"


def test_the_queue_reads_suggestions_in_one_query_per_page(client, session, open_round):
    login(client, session, "moderator")

    def suggestion_queries(count: int) -> int:
        for _ in range(count):
            factories.make_submission(session, open_round, body=DRONES)
        with counted() as statements:
            assert client.get("/en/moderate?per_page=100").status_code == 200
        return sum("submission_suggestions" in s for s in statements)

    assert suggestion_queries(2) == 1
    assert suggestion_queries(30) == 1


def test_review_ids_are_unique_and_wording_speaks_to_staff(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round, anonymous=True)
    login(client, session, "moderator")
    html = client.get(f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    twice = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert twice == []
    assert "The contributor allows publication without their name" in html
    assert "without your name" not in html
    assert re.search(r'<textarea[^>]* id="internal-note"[^>]* name="note"', html)
    assert re.search(r'<textarea[^>]* id="note"[^>]* name="note"', html)
    queue = client.get("/en/moderate").get_data(as_text=True)
    assert [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', queue)).items() if n > 1] == []


def test_refused_decision_lists_errors_at_the_top_of_the_panel(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round, principles=[])
    login(client, session, "moderator")
    html = client.get(f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', html)
    response = client.post(f"/en/moderate/submissions/{submission.id}/decision", data={
        "csrf_token": csrf_token(html), "version": version.group(1), "action": "reject",
        "reason": "other", "note": "", "keywords": "x" * 80})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    panel = page[page.index('class="decision-panel"'):]
    summary = re.search(r'<div class="error-summary" role="alert"[^>]*id="decision-errors">'
                        r'(.*?)</div>', panel, re.S)
    assert summary, "no error summary at the top of the decision panel"
    assert panel.index("decision-errors") < panel.index('id="decision-form"')
    # In page order: the panel's fields first, then the text column's.
    links = re.findall(r'<a href="#([\w-]+)">', summary.group(1))
    assert links == ["note", "keywords"], links
    assert page.count("data-first-invalid") == 1
    assert re.search(r'<div class="field reject-note has-error"', page)


def test_waiting_time_reads_in_each_language():
    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    since = now - dt.timedelta(days=3, hours=5)
    assert format_waited(since, "en", now) == "3 days"
    assert format_waited(since, "ar", now) == "3 أيام"
    assert format_waited(since, "ru", now) == "3 дня"
    assert format_waited(now - dt.timedelta(hours=2), "fr", now) == "2\u00a0heures"


def test_suggestions_are_stored_at_intake_and_erased_with_the_text(session, open_round):
    submission, _ = factories.make_submission(session, open_round, body=DRONES,
                                              technologies=[], principles=[])

    def stored() -> set[str]:
        return {row.item.code for row in session.scalars(select(SubmissionSuggestion).where(
            SubmissionSuggestion.submission_id == submission.id))}

    # One per group at most: the top technology and theme of the text.
    assert stored() >= {"T01", "TH14"} and "T06" not in stored()
    intake.erase(session, submission)
    session.commit()
    assert stored() == set()


def test_suggest_store_fills_views_received_before(runner, session, open_round):
    submission, _ = factories.make_submission(session, open_round, body=DRONES)
    stored_suggestions.forget(session, submission.id)
    session.commit()
    assert stored_suggestions.top_for(session, [submission.id]) == {}
    assert session.scalar(select(SubmissionSuggestion.item_id)) is None
    result = runner.invoke(args=["suggest", "store"])
    assert result.exit_code == 0, result.output
    assert "Suggestions stored for 1 pending submissions." in result.output
    session.expire_all()
    assert session.scalar(select(SubmissionSuggestion.item_id)) is not None
    # Again: nothing left to do, unless asked to refresh.
    assert "for 0 pending" in runner.invoke(args=["suggest", "store"]).output
    assert "for 1 pending" in runner.invoke(args=["suggest", "store", "--refresh"]).output


def test_next_follows_the_queue_order(session, open_round):
    first, _ = factories.make_submission(session, open_round, title="First")
    second, _ = factories.make_submission(session, open_round, title="Second")
    f = moderation.QueueFilter()
    assert moderation.neighbour(session, first, f).id == second.id
    assert moderation.neighbour(session, second, f, newest_first=True).id == first.id
    assert moderation.neighbour(session, first, f, newest_first=True) is None


def test_no_staff_page_repeats_an_id(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "admin")
    pages = ["/en/moderate", "/en/moderate?status=all&select=page",
             f"/en/moderate/submissions/{submission.id}", "/en/moderate/clusters",
             "/en/moderate/second-coding", "/en/moderate/reconcile", "/en/account",
             "/en/admin/", "/en/admin/users", "/en/admin/rounds", "/en/admin/taxonomy",
             "/en/admin/audit", "/en/reports/"]
    repeated = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        twice = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
        if twice:
            repeated[url] = twice
    assert repeated == {}
