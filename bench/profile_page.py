"""Profile one page in process: the CPU it costs and where that goes.

    .venv/bin/python bench/profile_page.py DB_URL PATH [--as moderator|reference|none]
                                              [--n 200] [--top 25] [--sort tottime]

Runs the app with the bench's settings against an already seeded database (for instance
`sqlite:///bench/.data/run.db` after `make bench`), signs in through the test client as
a moderator or reference user of its own (made on the first run, with a fresh password
each run), warms up, then serves PATH `--n` times. Prints the CPU milliseconds per request
(process time, so other load on the machine barely moves it) and a cProfile table.

The figures leave out gunicorn, the socket and the load generator: the bench's
"CPU ms/req" column is this plus about 0.3 ms.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Users of its own (their password is reset on each run): the bench's users keep theirs,
# which `make bench` on PostgreSQL derives once and does not set again.
USERS = {"moderator": "profile-moderator@example.org",
         "reference": "profile-reference@example.org"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="moderator",
                        choices=[*USERS, "none"])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--data", default=None,
                        help="form body (urlencoded) to POST to the form of the page at PATH; "
                             "its CSRF token and other hidden fields are added")
    args = parser.parse_args()

    os.environ.update({
        "APP_ENV": "development", "DATABASE_URL": args.database_url,
        "REQUIRE_2FA": "false", "RATELIMIT_ENABLED": "false", "STAFF_IDLE_MINUTES": "600",
        # Counts computed during the warm-up and kept in this process: a shared cache
        # filled by another run would make the figure depend on that run.
        "CACHE_BACKEND": "memory",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
    })
    import re

    from app import create_app
    from app.db import db
    from app.services import NotFound
    from app.services.accounts import users as user_service

    app = create_app()
    client = app.test_client()
    if args.who != "none":
        password = "profile " + secrets.token_urlsafe(12)
        with app.app_context():
            email = USERS[args.who]
            try:
                user = user_service.find_by_email(db.session, email)
                user_service.set_password(db.session, user, password)
            except NotFound:
                user_service.create_user(db.session, email, password, args.who)
            db.session.commit()
        page = client.get("/en/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        reply = client.post("/en/login", data={"csrf_token": token, "email": email,
                                               "password": password})
        if reply.status_code != 303:
            raise SystemExit(f"sign-in failed: {reply.status_code}")

    path, data = args.path, None
    if args.data is not None:  # POST the page's form, as a browser would
        import html
        import urllib.parse

        page = client.get(args.path).get_data(as_text=True)
        form = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page)
        path = html.unescape(form.group(1))
        data = dict(urllib.parse.parse_qsl(args.data))
        for tag in re.findall(r"<input[^>]*>", page):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if 'type="hidden"' in tag and name and value:
                data.setdefault(name.group(1), html.unescape(value.group(1)))
        args.method = "POST"
        # Like the bench (wrk), send the same session cookie every time: the flash
        # messages of earlier answers would otherwise pile up in it.
        cookie = client.get_cookie("session")

    def reset_cookie() -> None:
        if data is not None and cookie is not None:
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)

    def once() -> int:
        reset_cookie()
        response = client.open(path, method=args.method, data=data)
        response.close()
        return response.status_code

    for _ in range(10):
        status = once()
    print(f"{args.method} {args.path} -> {status}")
    # Five batches: the lowest is the figure least disturbed by other work on the machine.
    batches = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(max(1, args.n // 5)):
            once()
        batches.append((time.process_time() - started) / max(1, args.n // 5) * 1000)
    batches.sort()
    print(f"CPU {batches[0]:.2f} ms per request (lowest of 5 batches; median "
          f"{batches[2]:.2f}) over {5 * max(1, args.n // 5)}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        once()
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
