"""Links that leave the app (resume links, join links, QR codes): one place builds them.

They are built on the configured ``BASE_URL``, never on the request's Host header, so a
forged Host header cannot poison a QR code, an invitation or an export.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint`` on the configured BASE_URL."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + url_for(endpoint, **values)
