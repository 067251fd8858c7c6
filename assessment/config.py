"""Configuration: safe defaults in code, secrets and places from the environment."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

#: The repository root: templates, migrations and the instance folder live beside the code.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: Path) -> dict[str, Any]:
    """Settings read from the environment, with defaults for the embedded set-up."""
    default_db = f"sqlite:///{instance_path / 'regiospiegel.sqlite3'}"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SECRET_KEY_FROM_ENVIRONMENT": bool(os.environ.get("SECRET_KEY")),
        "ENVIRONMENT": os.environ.get("REGIOSPIEGEL_ENV", "development"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        # Links in QR codes, invitations and exports come from here, never from the Host
        # header of a request (which anyone can set).
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
        "QUESTIONS_DIR": os.environ.get("QUESTIONS_DIR"),
        **redis_settings(os.environ.get("REDIS_URL"),
                         os.environ.get("REDIS_PREFIX", "regiospiegel:")),
        "REPORT_CACHE_DIR": os.environ.get("REPORT_CACHE_DIR"),
        # Invitations by e-mail (assessment.mail): the SMTP server and the sender. Without
        # MAIL_SERVER and MAIL_SENDER no e-mail is sent; the CSV of links stays the way.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": sender(os.environ.get("MAIL_SENDER") or None),
        **{key: flag(variable, os.environ[variable])
           for variable, key in FLAGS.items() if os.environ.get(variable)},
        # Where people report accessibility problems (the statement names it).
        "ACCESSIBILITY_CONTACT": os.environ.get("REGIOSPIEGEL_ACCESSIBILITY_CONTACT"),
        # Numbers and rate limits keep their defaults unless set (the pool's are in
        # assessment.db.PoolSettings); each is checked by its rule in NUMBERS or RATE_LIMITS.
        **{key: rule.read(variable, os.environ[variable])
           for variable, (key, rule) in NUMBERS.items() if os.environ.get(variable)},
        **{name: rate_limit(name, os.environ[name])
           for name in RATE_LIMITS if os.environ.get(name)},
    }


class InvalidSetting(ValueError):
    """A setting in the environment that does not fit its rule; the message names the
    setting, what it expects and what it got, in one line."""


@dataclass(frozen=True)
class Number:
    """The rule for a number read from the environment: whole or not, its least value, and
    what it counts (for the message when a value does not fit)."""

    whole: bool
    minimum: float
    unit: str
    #: What the rule accepts in words of its own, where "a number of <unit>" reads badly.
    described: str = ""

    def expects(self) -> str:
        """What the rule accepts, such as "a whole number of days, 1 or more"."""
        if self.described:
            return self.described
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} of {self.unit}, {self.minimum:g} or more"

    def parse(self, text: str) -> int | float | None:
        """``text`` as this number, or None when it is not one or is below the minimum."""
        try:
            value: float = int(text) if self.whole else float(text)
        except ValueError:
            return None
        if not math.isfinite(value) or value < self.minimum:
            return None
        return value

    def read(self, name: str, text: str) -> int | float:
        """``text`` as this number; :class:`InvalidSetting` naming ``name`` if it is not one."""
        value = self.parse(text)
        if value is None:
            raise InvalidSetting(f"{name} must be {self.expects()}, not {text!r}")
        return value


#: How long the raw answers of a closed scan are kept: the setting and `purge --days`.
RETENTION_DAYS = Number(whole=True, minimum=1, unit="days")

#: Every number the environment may set: the variable, the setting it sets, and its rule.
NUMBERS: dict[str, tuple[str, Number]] = {
    "REGIOSPIEGEL_RETENTION_DAYS": ("RETENTION_DAYS", RETENTION_DAYS),
    "PROXY_HOPS": ("PROXY_HOPS", Number(whole=True, minimum=0, unit="proxies")),
    "DATABASE_POOL_SIZE": ("DATABASE_POOL_SIZE",
                           Number(whole=True, minimum=1, unit="connections")),
    "DATABASE_MAX_OVERFLOW": ("DATABASE_MAX_OVERFLOW",
                              Number(whole=True, minimum=0, unit="connections")),
    "DATABASE_POOL_TIMEOUT": ("DATABASE_POOL_TIMEOUT",
                              Number(whole=False, minimum=0, unit="seconds")),
    "DATABASE_POOL_RECYCLE": ("DATABASE_POOL_RECYCLE",
                              Number(whole=True, minimum=-1, unit="seconds (-1: never)")),
    "REPORT_TIME_LIMIT": ("REPORT_TIME_LIMIT", Number(whole=False, minimum=1, unit="seconds")),
    "REPORT_MEMORY_MB": ("REPORT_MEMORY_MB", Number(whole=True, minimum=1, unit="megabytes")),
    "REPORT_NICENESS": ("REPORT_NICENESS", Number(
        whole=True, minimum=0, unit="niceness",
        described="a whole number from 0 (normal priority) to 19 (lowest)")),
    "MAIL_PORT": ("MAIL_PORT", Number(whole=True, minimum=1, unit="port",
                                      described="a port number such as 25, 465 or 587")),
    "MAIL_RATE_PER_MINUTE": ("MAIL_RATE_PER_MINUTE",
                             Number(whole=False, minimum=0.1, unit="e-mails a minute")),
    "MAIL_TIMEOUT": ("MAIL_TIMEOUT", Number(whole=False, minimum=1, unit="seconds")),
    "INVITATION_ADDRESS_DAYS": ("INVITATION_ADDRESS_DAYS",
                                Number(whole=True, minimum=1, unit="days")),
    "LIVE_POLL_SECONDS": ("LIVE_POLL_SECONDS", Number(whole=False, minimum=1, unit="seconds")),
}

#: The yes-or-no settings the environment may set: the variable and the setting it sets.
FLAGS: dict[str, str] = {"MAIL_USE_TLS": "MAIL_USE_TLS", "MAIL_USE_SSL": "MAIL_USE_SSL"}
_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off"}


def flag(name: str, text: str) -> bool:
    """``text`` as yes or no (1/0, true/false, yes/no, on/off); InvalidSetting otherwise."""
    value = text.strip().lower()
    if value in _YES | _NO:
        return value in _YES
    raise InvalidSetting(f"{name} must be one of true, false, 1, 0, yes, no, not {text!r}")


def sender(text: str | None) -> str | None:
    """MAIL_SENDER as given, if it is one address on one line; InvalidSetting otherwise.

    "Regiospiegel <scan@regio.nl>" and "scan@regio.nl" are both fine. A line break would let
    the setting add headers of its own to every e-mail.
    """
    if text is None:
        return None
    from email.utils import parseaddr

    if "\r" in text or "\n" in text or "@" not in parseaddr(text)[1]:
        raise InvalidSetting(f"MAIL_SENDER must be one e-mail address, such as "
                             f"'Regiospiegel <scan@regio.nl>', not {text!r}")
    return text.strip()

#: The rate limits the environment may set (in DEFAULTS: what they are without it).
RATE_LIMITS = ("JOIN_RATE_LIMIT", "LOGIN_RATE_LIMIT", "START_RATE_LIMIT")


def rate_limit(name: str, text: str) -> str:
    """``text`` if it is a rate limit (such as "20 per 10 minutes"), else InvalidSetting."""
    from limits import parse_many

    try:
        parse_many(text)
    except ValueError:
        raise InvalidSetting(f"{name} must be a rate limit such as '20 per 10 minutes', "
                             f"not {text!r}") from None
    return text


#: Rate limits counted in the app's database (:mod:`assessment.rate_limits`): shared by every
#: worker process and every server, so a limit means the same under gunicorn as in one process.
DATABASE_LIMITS_URI = "regiospiegel+database://"


def redis_settings(url: str | None, prefix: str = "regiospiegel:") -> dict[str, Any]:
    """The settings that put rate limits and report jobs in Redis at ``url`` (None: not).

    Without Redis the rate limits are counted in the database. Every key the app writes
    starts with ``prefix``, so several installations (or test runs) can share one Redis.
    """
    return {
        "REDIS_URL": url or None,
        "REDIS_PREFIX": prefix,
        "RATELIMIT_STORAGE_URI": url or DATABASE_LIMITS_URI,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"{prefix}limits"},
    }


#: The time zone of every time the pages show (audit log included): the users' own.
TIME_ZONE = "Europe/Amsterdam"


DEFAULTS: dict[str, Any] = {
    # A participant may take a long session: forms stay valid for hours, not one hour.
    "WTF_CSRF_TIME_LIMIT": int(timedelta(hours=12).total_seconds()),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": TIME_ZONE,
    "LANGUAGES": ("nl", "en"),
    "RATELIMIT_HEADERS_ENABLED": True,
    # When Redis is unreachable, count in this process instead of failing the request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Wrong join codes per client (a right code never counts and is never refused); failed
    # logins per client and, separately, per account (successful ones are not counted). A
    # typo or two must never lock anyone out.
    "JOIN_RATE_LIMIT": "20 per 10 minutes",
    "LOGIN_RATE_LIMIT": "10 per 10 minutes",
    # New respondents (and votes from the join page) per client address: a council chamber
    # whose 60 people share one Wi-Fi address starts within a minute, with room to spare;
    # a script starting hundreds is stopped. No limit is shared by all clients, so no one
    # client can use it up for everyone.
    "START_RATE_LIMIT": "200 per 10 minutes",
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    "COMMENT_MAX_LENGTH": 2000,
    # How facilitators' passwords are hashed (werkzeug's method string). Never read from the
    # environment; production refuses anything but scrypt. The tests set a cheap one, as the
    # hash costs a tenth of a second by design and the tests make hundreds of accounts.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Regions side by side (assessment/landscape.py): a closed scan counts in a programme's
    # landscape from this many respondents; a region sees its peers from this many others.
    "LANDSCAPE_MIN_RESPONDENTS": 10,
    "PEERS_MIN_REGIONS": 5,
    # The report renders in its own process: at most this long, with at most this memory.
    "REPORT_TIME_LIMIT": 60,
    "REPORT_NICENESS": 10,
    # Seconds between two updates of the live page and the agenda (the projector: 1.5 s).
    "LIVE_POLL_SECONDS": 5,
    "REPORT_MEMORY_MB": 1536,
    # How long raw answers are kept after a scan closed (`regiospiegel purge`).
    "RETENTION_DAYS": 365,
    # How many reverse proxies in front of the app add X-Forwarded-For (0: none).
    "PROXY_HOPS": 0,
    # Invitations by e-mail: the mail server's port and encryption (STARTTLS, or TLS from the
    # start), how many e-mails a minute at most, how long one step may take, how often and
    # after how long a temporary failure is tried again, and how long addresses are kept.
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_RATE_PER_MINUTE": 60,
    "MAIL_TIMEOUT": 30,
    "MAIL_ATTEMPTS": 3,
    "MAIL_RETRY_SECONDS": 5.0,
    "INVITATION_ADDRESS_DAYS": 30,
}


def ensure_secret_key(app: Any) -> None:
    """Use SECRET_KEY from the environment; locally, keep a random one in the instance folder.

    The local key lets `make run` work out of the box and survive restarts; any real
    deployment sets SECRET_KEY.
    """
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()
