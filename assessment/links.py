"""Links that leave the app (resume links, join links, QR codes): one place builds them.

With ``BASE_URL`` configured, links never depend on the request's Host header.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint``, based on BASE_URL when it is set."""
    base = current_app.config.get("BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
