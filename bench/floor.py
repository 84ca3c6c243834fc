"""The floor of the work: a bare Flask app doing the least a queue page or a submission
POST must do, on the same stack (gunicorn, Flask, Jinja, SQLAlchemy Core), database and
machine as the real app.

`make bench` serves it under the same gunicorn settings and drives it with the same wrk
script, so the table can say how far each scenario is from what the stack itself costs
here, which a target cannot be below:

- `GET /queue`: the 50 oldest pending submissions by the queue's own index, rendered by
  Jinja with autoescape into a table of the same columns and links as the moderation
  queue, inside a small layout. No sign-in, no translation, no filters, no counts.
- `POST /submit`: a form body read, its fields checked for presence and length, the text
  cleaned by bleach, one row inserted into a table of its own (`floor_posts`), committed,
  and a 303 answered: the "bare validate-sanitize-insert Flask app" of issue #7.

Settings: FLOOR_DATABASE_URL (an SQLAlchemy URL; the bench passes the seeded database).
"""
from __future__ import annotations

import os

import bleach
from flask import Flask, abort, redirect, render_template, request
from jinja2 import DictLoader
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=8)
if engine.dialect.name == "sqlite":
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):  # the app's own settings for SQLite
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

with engine.begin() as setup:
    setup.execute(text("CREATE TABLE IF NOT EXISTS floor_posts (id INTEGER PRIMARY KEY, "
                       "title VARCHAR(200), body TEXT, country VARCHAR(2), "
                       "created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
                       if engine.dialect.name == "sqlite" else
                       "CREATE TABLE IF NOT EXISTS floor_posts (id SERIAL PRIMARY KEY, "
                       "title VARCHAR(200), body TEXT, country VARCHAR(2), "
                       "created_at TIMESTAMP DEFAULT now())"))

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review queue</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><header><a href="/">UN new technologies consultation</a>
<nav><ul>{% for code in languages %}<li><a href="/{{ code }}/queue">{{ code }}</a></li>
{% endfor %}</ul></nav>
</header><main><h1>Review queue</h1>
<table><caption>Submissions, oldest first</caption>
<thead><tr><th>Select</th><th>Reference</th><th>Title</th><th>Language</th><th>Sent as</th>
<th>Country</th><th>Received</th><th>Status</th></tr></thead><tbody>
{% for row in rows %}<tr>
<td><input type="checkbox" name="selected" value="{{ row.id }}:{{ row.version }}"
 aria-label="Select {{ row.reference }}"></td>
<td>{{ row.reference }}</td>
<td><a href="/en/moderate/submissions/{{ row.id }}?status=pending" lang="{{ row.language }}">
{{ row.title or "(no title)" }}</a></td>
<td>{{ row.language }}</td><td>{{ row.actor_type or "" }}</td><td>{{ row.country or "" }}</td>
<td><time datetime="{{ row.created_at }}">{{ row.created_at }}</time></td><td>{{ row.status }}</td>
</tr>{% endfor %}
</tbody></table></main><footer><p>A participatory platform.</p></footer></body></html>"""
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
app.jinja_loader = DictLoader({"queue.html": PAGE})  # compiled once, like a template file


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/queue")
def queue() -> str:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, version, reference, title, language, actor_type, country, created_at, "
            "status FROM submissions WHERE status = 'pending' "
            "ORDER BY created_at, id LIMIT 50")).all()
    return render_template("queue.html", rows=rows, languages=LANGUAGES)


@app.post("/submit")
def submit():
    form = request.form
    title = form.get("title", "").strip()
    body = form.get("body", "").strip()
    country = form.get("country", "").strip().upper()
    if not body or len(body) > 20000 or len(title) > 200 or len(country) > 2 \
            or form.get("consent_processing") != "y":
        abort(422)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO floor_posts (title, body, country) "
                                "VALUES (:title, :body, :country)"),
                           {"title": bleach.clean(title, tags=set(), strip=True),
                            "body": bleach.clean(body, tags=set(), strip=True),
                            "country": country or None})
    return redirect("/thanks", code=303)
