"""Small things of issue #18 item 8: coherent demo dates, demo titles cut at word
boundaries, admins landing on their panel."""
from __future__ import annotations

from sqlalchemy import select

from app.db import db, utcnow
from app.models import Round, Submission
from app.services import demo
from tests.helpers import PASSWORD, csrf_token, make_user, totp_now


def test_demo_views_are_sent_while_the_round_is_open_and_decided_after(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed", "--submissions", "400"])
    assert result.exit_code == 0, result.output
    now = utcnow()
    with fresh_app.app_context():
        round_ = db.session.scalar(select(Round))
        rows = db.session.execute(select(Submission.created_at, Submission.decided_at,
                                         Submission.title, Submission.body,
                                         Submission.language)).all()
        db.session.remove()
    assert len(rows) == 400
    for created, decided, title, body, language in rows:
        assert round_.opens_at <= created <= now
        assert decided is None or created <= decided <= now
        assert len(title) <= demo.TITLE_MAX + 1
        if title.endswith("…"):
            stem = title[:-1]
            assert body.startswith(stem)
            following = body[len(stem)]
            if language != "zh":  # the cut falls between words, never inside one
                assert following in " ,.;:،", (title, body[:80])
        else:
            assert body.startswith(title)


def test_titles_are_cut_between_words():
    body = ("Without affordable internet, the UN's digital tools do not reach my village "
            "or the next one.")
    assert demo.demo_title(body, "en") == (
        "Without affordable internet, the UN's digital tools do not…")
    assert demo.demo_title("Short and whole.", "fr") == "Short and whole"
    zh = "联合国应当确保新技术惠及所有人，特别是农村地区的妇女和青年，以及残疾人。下一句"
    assert demo.demo_title(zh, "zh") == (
        "联合国应当确保新技术惠及所有人，特别是农村地区的妇女和青年…")


def _sign_in(client, session, role):
    user = make_user(session, role)
    html = client.get("/fr/login").get_data(as_text=True)
    client.post("/fr/login", data={"csrf_token": csrf_token(html), "email": user.email,
                                   "password": PASSWORD})
    html = client.get("/fr/login/verify").get_data(as_text=True)
    return client.post("/fr/login/verify", data={"csrf_token": csrf_token(html),
                                                  "code": totp_now(user.totp_secret)})


def test_admins_land_on_their_panel_moderators_on_the_queue(app, session):
    response = _sign_in(app.test_client(), session, "admin")
    assert response.status_code == 303 and response.headers["Location"].endswith("/fr/admin/")
    response = _sign_in(app.test_client(), session, "moderator")
    assert response.headers["Location"].endswith("/fr/moderate")
