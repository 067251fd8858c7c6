"""Links that leave the app (resume links, join links, QR codes), and links that must not.

Outgoing links are built on the configured ``BASE_URL``, never on the request's Host header,
so a forged Host header cannot poison a QR code, an invitation or an export. A page to
return to (``?next=`` after logging in, the language switch) is followed only when a browser
would read it as a path on this site (:func:`local_path`); :func:`redirect_back` is the one
way views follow it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, redirect, url_for
from werkzeug.wrappers import Response


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint`` on the configured BASE_URL."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + url_for(endpoint, **values)


def redirect_back(target: str, fallback: str) -> Response:
    """A redirect to ``target`` if it is a path on this site, else to the page ``fallback``
    (an endpoint)."""
    return redirect(local_path(target) or url_for(fallback))


#: What a browser strips from both ends of a URL: C0 control characters and the space.
_C0_AND_SPACE = "".join(chr(n) for n in range(0x21))
#: What a browser removes anywhere in a URL before parsing it.
_TAB_AND_NEWLINES = str.maketrans("", "", "\t\n\r")
#: How often percent-decoding is repeated to see what a doubly encoded target hides.
_DECODINGS = 3


def local_path(target: str) -> str:
    """``target`` as a path on this site if a browser would read it as one, else "".

    A browser removes tabs and line breaks anywhere, strips control characters and spaces
    from both ends, and reads a backslash as a slash, so ``/\\t/evil.example`` and
    ``/\\evil.example`` go to another host (``//evil.example``). The target is normalised
    the same way and then refused when it has a scheme or a host, starts with ``//``, or
    does not start with ``/``. The same checks apply to each percent-decoded form (up to
    three rounds), so an encoded ``%2F%2Fevil.example`` or an encoded control character is
    refused too, whatever a proxy on the way might decode. What is returned is the
    normalised target, exactly what was checked.
    """
    normalised = _as_browser_reads(target)
    form = normalised
    for _round in range(_DECODINGS + 1):
        if not _is_local(form):
            return ""
        decoded = unquote(form)
        if _has_control_character(decoded):
            return ""
        decoded = _as_browser_reads(decoded)
        if decoded == form:
            break
        form = decoded
    else:
        return ""
    return normalised


def _as_browser_reads(target: str) -> str:
    return target.translate(_TAB_AND_NEWLINES).strip(_C0_AND_SPACE).replace("\\", "/")


def _is_local(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//"):
        return False
    if _has_control_character(path):
        return False
    parts = urlsplit(path)
    return not (parts.scheme or parts.netloc)


def _has_control_character(text: str) -> bool:
    return any(ord(character) < 0x20 or ord(character) == 0x7F for character in text)
