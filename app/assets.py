"""Low bandwidth: compressed responses and static files cached for a year under a hash.

`url_for('static', filename=...)` adds `?v=<content hash>`; a request that carries the
file's current hash may be cached by the browser for a year without revalidation, since
a changed file gets a new URL. Other static requests keep a short cache. Responses are
compressed by Flask-Compress (zstd, brotli or gzip, as the client accepts).
"""
from __future__ import annotations

import functools
import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.security import safe_join

compress = Compress()

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@functools.lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    # The file's modification time and size are part of the key, so a file changed while
    # the server runs (in development) gets a new hash; each version is read only once.
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            sha.update(chunk)
    return sha.hexdigest()[:12]


def static_hash(filename: str) -> str | None:
    """A short hash of the content of static file `filename`, or None if there is none."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_hash(values["filename"])
        if version:
            values["v"] = version


def _finish(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code in (200, 206, 304):
        filename = (request.view_args or {}).get("filename", "")
        version = static_hash(filename)
        fingerprinted = version is not None and request.args.get("v") == version
        # Set last, after the other hooks: a stylesheet is never personal data.
        response.headers["Cache-Control"] = IMMUTABLE if fingerprinted else SHORT
        response.headers.pop("Expires", None)
    return _compress(response)


def _compress(response: Response) -> Response:
    status = response.status_code
    if status == 206:
        # A byte range refers to the uncompressed file: compressing it would corrupt it.
        return response
    if status >= 400:
        # Flask-Compress only compresses 2xx responses, but a form sent back with its
        # errors (422) weighs as much as the form itself, on the same slow connection.
        response.status_code = 200
        response = compress.after_request(response)
        response.status_code = status
        return response
    original = response.response
    response = compress.after_request(response)
    if response.response is not original and hasattr(original, "close"):
        # Compressing a streamed file replaces its iterable: close the file with it.
        response.call_on_close(original.close)
    return response


def init_app(app: Flask) -> None:
    """Call it before the other init_* functions: after_request hooks run in reverse
    order, so compressing then comes after every other hook has set its headers."""
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Static files are streamed from disk; Flask-Compress leaves gzip out of its streaming
    # list by default, which would send a gzip-only client the stylesheet uncompressed.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    app.config["COMPRESS_REGISTER"] = False  # `_finish` calls it, after the cache headers
    compress.init_app(app)
    app.url_defaults(_add_version)
    app.after_request(_finish)
