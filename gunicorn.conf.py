"""Gunicorn settings (read by `gunicorn wsgi:app` from this folder; flags on the command
line win). Used by `make bench` and meant for production.

The application is imported once in the master (`preload_app`) and the workers are forked
from it, so the code, templates, catalogs and taxonomy data loaded at import are shared
copy-on-write. CPython's cycle collector writes to every object it visits, which would
copy those shared pages into each worker; so the collector is off while the app loads,
what was loaded is frozen (`gc.freeze()`, moved out of the collector's reach) just before
the workers fork, and each worker turns the collector back on for its own objects.
The factory opens no connection and runs no query at import, so nothing that cannot
cross a fork (a database socket) exists before it.
"""
import gc
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads let one worker hold keep-alive connections and stream a long export while the
# master still hears from it (a sync worker is killed after `timeout` seconds of one
# request, which a million-row export exceeds).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
keepalive = 5
preload_app = True

gc.disable()


def when_ready(server):
    """In the master, after the app is imported and before the first fork."""
    from app.runtime import note_workers

    # The workers are forked from here, so they inherit what the app is told (/readyz).
    note_workers(server.app.wsgi(), server.cfg.workers)
    gc.collect()
    gc.freeze()


# The collector's first generation is collected after 700 net new container objects by
# default: a staff page makes thousands and frees most of them at its end, so every page
# paid for several passes. At 5,000 (measured on the queue page at a million rows, 1,500
# pages in process): 66 first-generation passes instead of 2,755, time in the collector
# 130 ms instead of 440, p99 11.8 -> 8.7 ms. In `make bench` (20,000 views, one run) the
# default costs 25-65 % more CPU per staff page (queue 10.6 -> 14.0 ms, search with no
# match 4.9 -> 8.1).
# The oldest generation must still be collected now and then: every request leaves a few
# hundred objects in reference cycles (WTForms fields and their form, Werkzeug's request
# and its headers, SQLAlchemy's bound parameters and their comparators), and those that
# survive two passes wait for a full one. At (5000, 20, 100) a full pass came after 10
# million net new objects, i.e. almost never, and bench/memory.py grew each worker by
# 78-81 MB in two minutes of varied searches (limit 40). At (5000, 10, 10) a full pass
# comes every few hundred pages: +6 and +11 MB, for about 5 % more CPU on the staff pages
# than (5000, 20, 100) over two alternated runs (-7 to +16 % per page, the machine's noise).
GC_THRESHOLDS = (5000, 10, 10)


def post_fork(server, worker):
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()
