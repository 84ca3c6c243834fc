"""What the server running the app tells it about itself: how many worker processes share
its per-process state. Without Redis, rate limits are counted in each worker's memory, so
with several workers every limit (sign-in and second factor included) is that many times
looser: production says so at start and in /readyz."""
from __future__ import annotations

import logging
import os

from flask import Flask

log = logging.getLogger(__name__)


def worker_warnings(config: dict, workers: int) -> list[str]:
    if config.get("APP_ENV") == "production" and workers > 1 and not config.get("REDIS_URL"):
        return [f"{workers} worker processes and no REDIS_URL: rate limits (sign-in and "
                f"second factor included) are counted in each worker, so every limit is "
                f"{workers} times looser. Set REDIS_URL (docs/deploy.md)."]
    return []


def note_workers(app: Flask, workers: int) -> None:
    """Record the number of worker processes; log a warning (once) if it makes rate limits
    per-worker. Called by gunicorn.conf.py when the server is ready."""
    warnings = worker_warnings(app.config, workers)
    if warnings != app.config.get("STARTUP_WARNINGS"):
        for warning in warnings:
            log.warning(warning)
    app.config["WORKERS"] = workers
    app.config["STARTUP_WARNINGS"] = warnings


def init_app(app: Flask) -> None:
    # gunicorn reads WEB_CONCURRENCY too; its hook (gunicorn.conf.py) gives the real count.
    try:
        workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    except ValueError:
        workers = 1
    note_workers(app, workers)
