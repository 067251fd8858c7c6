"""The app's own stylesheets, scripts and fonts, cached by the browser between pages.

Without this, Flask serves a static file with ``Cache-Control: no-cache``: the browser asks
again on every page whether the stylesheet and each font changed. A participant's page then
took five requests (the page, the stylesheet, three fonts) where one does, and on a
crowded venue's Wi-Fi each extra request is a round trip before the page shows.

- A link to a static file made with ``url_for("static", ...)`` carries the file's version,
  a hash of its content: ``/static/regiospiegel.css?v=3f9a…``. Asked for with the current
  version, the file may be kept for a year unasked (``immutable``); a new release changes
  the hash, so the browser fetches the new file at once.
- The fonts are named by the stylesheet, which cannot carry their versions; they change
  only with their file names, and are kept a week.
- Anything else under ``/static/`` (an old version, no version) is asked for again each
  time, as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

#: How long a file asked for by its current version may be kept unasked (a year).
VERSIONED_MAX_AGE = 365 * 24 * 3600

#: How long a font may be kept unasked (a week).
FONT_MAX_AGE = 7 * 24 * 3600

#: The static folder's subfolder with the fonts.
FONTS = "fonts/"

#: Versions found so far, by file and what its last change left: path, mtime, size.
_VERSIONS: dict[tuple[str, int, int], str] = {}


def version(path: Path | str) -> str | None:
    """A short hash of the file at ``path`` (None when there is no such file).

    Found once per process for each state of the file: an edited file (``make run`` with
    a template or stylesheet changed) gets its new version on the next page.
    """
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    key = (str(path), status.st_mtime_ns, status.st_size)
    found = _VERSIONS.get(key)
    if found is None:
        found = _VERSIONS[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return found


def _static_path(filename: str) -> str | None:
    """The file a static URL names, never outside the static folder."""
    return safe_join(str(current_app.static_folder or ""), filename)


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for("static", filename=...)`` gets ``v``, the file's version."""
    if endpoint != "static" or not values.get("filename") or "v" in values:
        return
    path = _static_path(str(values["filename"]))
    found = version(path) if path is not None else None
    if found is not None:
        values["v"] = found


def _cache_static(response: Response) -> Response:
    """Let the browser keep a static file by its version, or a font for a week."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = str((request.view_args or {}).get("filename", ""))
    asked = request.args.get("v")
    path = _static_path(filename)
    if asked is not None and path is not None and asked == version(path):
        response.headers["Cache-Control"] = f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    elif filename.startswith(FONTS):
        response.headers["Cache-Control"] = f"public, max-age={FONT_MAX_AGE}"
    return response


def init_app(app: Flask) -> None:
    """Version the links to static files and let the browser keep what they name."""
    app.url_defaults(_add_version)
    app.after_request(_cache_static)
