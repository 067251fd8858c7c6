"""Sending e-mail over SMTP: the settings, one message, and the mail server's verdict.

The standard library only (``smtplib``, ``email``): no extension, no other process. A message
is plain text with a simple HTML part (the text's paragraphs, escaped by Jinja's autoescape,
the link clickable). Nothing from a user reaches a header unchecked: a subject, an address
or the sender holding a line break is refused (:class:`UnsafeHeader`) before a message is
made, whatever the email package would do with it.

What the server says decides what happens next (:meth:`Postman.send`):
a 2xx reply: taken; a 4xx reply or no connection: :class:`TemporaryFailure` (tried again);
a 5xx reply: :class:`PermanentFailure` with the server's text; the connection lost while the
message was being handed over: :class:`TemporaryFailure` with ``handed_over`` set, as it
may have arrived (never sent again automatically).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from types import TracebackType
from typing import Any

from jinja2 import Environment

from assessment.exceptions import (
    MailNotConfigured,
    PermanentFailure,
    TemporaryFailure,
    UnsafeHeader,
)

#: The Dutch phrases a failure's reason starts with when no reply came from the server (the
#: facilitator's page shows them in the interface language).
UNREACHABLE = "mailserver niet bereikbaar"
CONNECTION_LOST = "verbinding verbroken tijdens het verzenden"


@dataclass(frozen=True)
class MailSettings:
    """How to reach the mail server, from the MAIL_* settings."""

    server: str
    port: int
    sender: str
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings, or None when MAIL_SERVER or MAIL_SENDER is not set."""
        if not config.get("MAIL_SERVER") or not config.get("MAIL_SENDER"):
            return None
        return cls(server=str(config["MAIL_SERVER"]), port=int(config.get("MAIL_PORT", 25)),
                   sender=str(config["MAIL_SENDER"]),
                   use_tls=bool(config.get("MAIL_USE_TLS")),
                   use_ssl=bool(config.get("MAIL_USE_SSL")),
                   username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
                   timeout=float(config.get("MAIL_TIMEOUT", 30)))


def configured(config: Mapping[str, Any]) -> bool:
    """Whether e-mail can be sent (MAIL_SERVER and MAIL_SENDER are set)."""
    return MailSettings.from_config(config) is not None


def settings(config: Mapping[str, Any]) -> MailSettings:
    """The mail settings; :class:`MailNotConfigured` when they are not set."""
    found = MailSettings.from_config(config)
    if found is None:
        raise MailNotConfigured("set MAIL_SERVER and MAIL_SENDER to send e-mail")
    return found


def refuse_line_breaks(**values: str) -> None:
    """:class:`UnsafeHeader` when any value holds a line break (it would start a header)."""
    for name, value in values.items():
        if any(character in value for character in "\r\n\x00\x0b\x0c\x85\u2028\u2029"):
            raise UnsafeHeader(f"the {name} holds a line break")


#: The HTML part: the text's paragraphs, each line escaped; the personal link clickable.
_HTML = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<!DOCTYPE html>
<html lang="{{ language }}">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; max-width: 40em">
{% for paragraph in paragraphs %}
<p>
  {% for line in paragraph %}
    {% if line == link %}<a href="{{ link }}">{{ link }}</a>{% else %}{{ line }}{% endif %}
    {% if not loop.last %}<br>{% endif %}
  {% endfor %}
</p>
{% endfor %}
</body>
</html>
""")


def compose(*, sender: str, to: str, subject: str, body: str, link: str,
            language: str) -> EmailMessage:
    """One e-mail: plain text and a simple HTML part; :class:`UnsafeHeader` on a line break
    in the sender, the address or the subject."""
    refuse_line_breaks(sender=sender, address=to, subject=subject)
    if "@" not in parseaddr(to)[1]:
        raise UnsafeHeader("the address is not one e-mail address")
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address)) if name else address
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    paragraphs = [[line.strip() for line in block.splitlines()]
                  for block in body.replace("\r\n", "\n").split("\n\n") if block.strip()]
    message.add_alternative(_HTML.render(language=language, subject=subject,
                                         paragraphs=paragraphs, link=link), subtype="html")
    # After the parts: setting the content replaces every Content- header.
    message["Content-Language"] = language
    return message


class Postman:
    """One connection to the mail server, for a batch of messages (a context manager)."""

    def __init__(self, mail: MailSettings) -> None:
        self.mail = mail
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(self, _type: type[BaseException] | None, _value: BaseException | None,
                 _traceback: TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection (STARTTLS or TLS, and a login, as set); TemporaryFailure
        when the server cannot be reached or refuses us now, PermanentFailure when it
        refuses the login."""
        mail = self.mail
        context = ssl.create_default_context()
        try:
            if mail.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(mail.server, mail.port,
                                                      timeout=mail.timeout, context=context)
            else:
                smtp = smtplib.SMTP(mail.server, mail.port, timeout=mail.timeout)
            if mail.use_tls and not mail.use_ssl:
                smtp.starttls(context=context)
            if mail.username:
                smtp.login(mail.username, mail.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(_reply(exc.smtp_code, exc.smtp_error)) from exc
        except smtplib.SMTPResponseException as exc:
            failure = PermanentFailure if 500 <= exc.smtp_code < 600 else TemporaryFailure
            raise failure(_reply(exc.smtp_code, exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{UNREACHABLE}: {exc}") from exc
        self._smtp = smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server (connecting first if needed); see the module's
        rules for what a refusal raises."""
        if self._smtp is None:
            self.connect()
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _failure(code, text) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _failure(exc.smtp_code, exc.smtp_error) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise _failure(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            raise TemporaryFailure(f"{CONNECTION_LOST}: {exc}",
                                   handed_over=True) from exc
        if refused:  # one recipient only: a refusal raises above; kept for safety
            code, text = next(iter(refused.values()))
            raise _failure(code, text)

    def close(self) -> None:
        """Say goodbye to the server (quietly, if it already left)."""
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {shown}".strip()[:1000]


def _failure(code: int, text: bytes | str) -> TemporaryFailure | PermanentFailure:
    """The failure a reply means: 5xx permanent, anything else temporary."""
    if 500 <= code < 600:
        return PermanentFailure(_reply(code, text))
    return TemporaryFailure(_reply(code, text))
