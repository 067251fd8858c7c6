"""The personal link in an invitation e-mail: derived from the app's secret, never stored.

Pure functions (no Flask, no database). A link's token is an HMAC of the invitation's id and
a random nonce under the app's secret, so a reminder carries the same link as the invitation
without the link being kept anywhere; the nonce makes an id used again (after a deletion)
give another link. What is stored is the link's keyed hash (:func:`link_hash`), under a
purpose of its own: it never equals the plain hash a respondent's own token or a personal
link from the CSV is stored as, so a mailed link can only ever open what belongs to mailed
links. Changing SECRET_KEY makes every mailed link stop working (as it ends every session).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

#: Random bytes of a nonce: with the secret, enough to make each link unguessable.
NONCE_BYTES = 16


def new_nonce() -> str:
    """A random nonce for a new invitation."""
    return secrets.token_hex(NONCE_BYTES)


def link_token(secret: str, invitation_id: int, nonce: str) -> str:
    """The token in an invitation's personal link (``/r/<token>``): the same every time."""
    message = f"invitation:{int(invitation_id)}:{nonce}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_hash(secret: str, token: str) -> str:
    """The stored form of a mailed link's token (64 hex characters)."""
    return hmac.new(secret.encode(), b"invitation-link:" + token.encode(),
                    hashlib.sha256).hexdigest()
