"""Invitations by e-mail: the invitations, sending them, reminders (the address list they come
from: :mod:`assessment.address_lists`).

Every write here is one transaction. Sending (:func:`send_queued`) runs outside the request
(:mod:`assessment.mail_jobs`), one message at a time, and stores each message's state around
handing it to the mail server: "sending" (committed) before, "sent" or "failed" after. A
message found in "sending" longer than :func:`stale_after` was interrupted (the process
stopped mid-way); it becomes "failed" with :data:`INTERRUPTED` and is never sent again
automatically, since it may have arrived. So a crash halfway sends nobody twice.

A temporary failure (a 4xx reply, no connection) is tried again after a pause that doubles
each time, ``MAIL_ATTEMPTS`` tries in all; a permanent one (5xx) is "failed" at once, with
the server's reply. When the server cannot be reached at all, the messages still waiting
in that run fail with the same reason, for the facilitator to try again later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment import invitation_links, invitations, mail, mail_texts
from assessment.address_lists import is_address, normalise_address
from assessment.db import checkpoint, read_session, write_transaction
from assessment.exceptions import (
    AssessmentClosed,
    DeliveryFailed,
    MailError,
    PermanentFailure,
    UnknownAssessment,
)
from assessment.management import Actor, audit
from assessment.models import (
    Assessment,
    Delivery,
    Invitation,
    MailKind,
    MailText,
    Respondent,
    Source,
    Status,
    as_utc,
    utcnow,
)
from assessment.participation import hash_token

#: Why a message shows "failed" when the process sending it stopped halfway.
INTERRUPTED = "onderbroken, niet opnieuw verstuurd"
#: Messages per connection to the mail server.
BATCH_SIZE = 20

# -- creating invitations ---------------------------------------------------------------


def invited_addresses(assessment_id: int) -> list[str]:
    """The addresses invited to an assessment so far (those not yet deleted)."""
    return list(read_session().scalars(
        select(Invitation.address).where(Invitation.assessment_id == assessment_id,
                                         Invitation.address.is_not(None))
        .order_by(Invitation.id)))


def invite(assessment_id: int, addresses: Iterable[str], language: str,
           actor: Actor = None) -> int:
    """Add invitations for new addresses, waiting to be sent; return how many were added.

    Addresses already invited are skipped (a list sent twice adds nothing). A closed scan
    takes no invitations (its addresses are deleted at closing).
    """
    secret = _secret()
    added = 0
    with write_transaction() as session:
        assessment = _open_for_invitations(session, assessment_id)
        if language not in assessment.languages:
            language = assessment.language
        known = set(session.scalars(select(Invitation.address).where(
            Invitation.assessment_id == assessment_id, Invitation.address.is_not(None))))
        for address in dict.fromkeys(normalise_address(a) for a in addresses):
            if address in known or not is_address(address):
                continue
            nonce = invitation_links.new_nonce()
            invitation = Invitation(assessment_id=assessment_id, address=address,
                                    language=language, nonce=nonce,
                                    # Unique until the id is known (a placeholder of its own).
                                    link_hash="pending-" + nonce,
                                    delivery=Delivery.QUEUED.value,
                                    message=MailKind.INVITATION.value)
            session.add(invitation)
            session.flush()
            invitation.link_hash = invitation_links.link_hash(
                secret, invitation_links.link_token(secret, invitation.id, nonce))
            added += 1
        if added:
            audit(session, "invitations_added", actor, assessment, str(added))
    return added


def retry_failed(assessment_id: int) -> int:
    """Queue again the messages that failed with a reply or no connection; not those that
    may have arrived (interrupted, or a connection lost during the hand-over), nor those
    whose address is gone. Returns how many."""
    with write_transaction() as session:
        retried = session.execute(
            update(Invitation).where(
                Invitation.assessment_id == assessment_id,
                Invitation.delivery == Delivery.FAILED.value,
                Invitation.address.is_not(None), Invitation.sent_in.is_(False),
                ~Invitation.reason.startswith(INTERRUPTED),
                ~Invitation.reason.startswith(HANDED_OVER))
            .values(delivery=Delivery.QUEUED.value, attempts=0)
            .execution_options(synchronize_session=False))
        return int(getattr(retried, "rowcount", 0) or 0)


def reminder_round(assessment_id: int) -> int:
    """A number that changes with every reminder queued: the reminder form carries it, so a
    second click (or a colleague's) on the same page queues no second reminder."""
    session = read_session()
    sent = session.scalar(select(func.coalesce(func.sum(Invitation.reminders), 0)).where(
        Invitation.assessment_id == assessment_id)) or 0
    waiting = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.assessment_id == assessment_id,
        Invitation.message == MailKind.REMINDER.value,
        Invitation.delivery.in_((Delivery.QUEUED.value, Delivery.SENDING.value)))) or 0
    return int(sent) + int(waiting)


def remind(assessment_id: int, expected_round: int) -> int:
    """Queue a reminder for everyone invited who has not sent in, whose invitation was sent
    (not failed) and who has no message waiting; the same personal link. Returns how many.

    Refused (:class:`MailError`) when ``expected_round`` is not the current
    :func:`reminder_round`: a reminder was queued since the page was shown.
    """
    if reminder_round(assessment_id) != expected_round:
        raise MailError("a reminder was queued since the page was shown")
    with write_transaction() as session:
        _open_for_invitations(session, assessment_id)
        queued = session.execute(
            update(Invitation).where(
                Invitation.assessment_id == assessment_id, Invitation.sent_in.is_(False),
                Invitation.delivery == Delivery.SENT.value, Invitation.address.is_not(None))
            .values(delivery=Delivery.QUEUED.value, message=MailKind.REMINDER.value,
                    attempts=0, reason="")
            .execution_options(synchronize_session=False))
        return int(getattr(queued, "rowcount", 0) or 0)


def _open_for_invitations(session: Session, assessment_id: int) -> Assessment:
    """The assessment, locked for this transaction; AssessmentClosed once it is closed (its
    addresses are deleted at closing, so it takes no invitations)."""
    assessment = session.get(Assessment, assessment_id, with_for_update=True)
    if assessment is None:
        raise UnknownAssessment(f"no assessment {assessment_id}")
    if assessment.status == Status.CLOSED:
        raise AssessmentClosed()
    return assessment


# -- the texts --------------------------------------------------------------------------


def mail_text(assessment_id: int, language: str, kind: str) -> mail_texts.MailText:
    """The facilitator's text of a kind of e-mail in a language, or the default."""
    own = read_session().scalar(select(MailText).where(
        MailText.assessment_id == assessment_id, MailText.language == language,
        MailText.kind == kind))
    if own is None:
        return mail_texts.default(language, kind)
    return mail_texts.MailText(own.subject, own.body)


def save_texts(assessment_id: int, texts: Mapping[tuple[str, str], mail_texts.MailText],
               answer_by: date | None = None, actor: Actor = None) -> None:
    """Keep the facilitator's texts, by (language, kind), and the last day to answer; each
    text is checked first (:class:`InvalidMailText`). A text equal to the default is kept
    as the default."""
    for text in texts.values():
        mail_texts.check(text)
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        for (language, kind), text in texts.items():
            stored = session.scalar(select(MailText).where(
                MailText.assessment_id == assessment_id, MailText.language == language,
                MailText.kind == kind))
            if text == mail_texts.default(language, kind):
                if stored is not None:
                    session.delete(stored)
                continue
            if stored is None:
                session.add(MailText(assessment_id=assessment_id, language=language,
                                     kind=kind, subject=text.subject, body=text.body))
            else:
                stored.subject, stored.body = text.subject, text.body
        assessment.answer_by = answer_by
        audit(session, "mail_texts_saved", actor, assessment)


def personal_link(token: str) -> str:
    """The absolute personal link of a token, on BASE_URL (also outside a request)."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    path = current_app.url_map.bind("localhost").build("participant.resume", {"token": token})
    return base + path


def filled(assessment: Assessment, language: str, kind: str, link: str,
           text: mail_texts.MailText | None = None) -> mail_texts.Filled:
    """What one person receives: the (given or stored) text with the scan's values."""
    return mail_texts.fill(text or mail_text(assessment.id, language, kind),
                           title=assessment.title, session_date=assessment.session_date,
                           link=link, answer_by=assessment.answer_by, language=language)


# -- sending ----------------------------------------------------------------------------

#: The reason a message failed when the connection broke while it was handed over.
HANDED_OVER = mail.CONNECTION_LOST
#: What a failure after the hand-over adds, and what a message not sent at all starts with.
MAY_HAVE_ARRIVED = "mogelijk wel aangekomen"
NOT_SENT = "niet verstuurd"


def stale_after(config: Mapping[str, Any]) -> timedelta:
    """How long a message may show "sending" before it counts as interrupted: far longer
    than handing over one message can take (each step of it is bounded by MAIL_TIMEOUT)."""
    return timedelta(seconds=10 * float(config.get("MAIL_TIMEOUT", 30)) + 60)


def recover_interrupted(assessment_id: int, now: datetime | None = None) -> int:
    """Mark the assessment's messages left in "sending" by a process that stopped as
    failed with :data:`INTERRUPTED` (never sent again automatically); return how many."""
    cutoff = (now or utcnow()) - stale_after(current_app.config)
    with write_transaction() as session:
        recovered = session.execute(
            update(Invitation).where(Invitation.assessment_id == assessment_id,
                                     Invitation.delivery == Delivery.SENDING.value,
                                     Invitation.claimed_at < cutoff)
            .values(delivery=Delivery.FAILED.value, reason=INTERRUPTED, claimed_at=None)
            .execution_options(synchronize_session=False))
        return int(getattr(recovered, "rowcount", 0) or 0)


@dataclass(frozen=True)
class SendResult:
    """What one run of :func:`send_queued` did."""

    invitations: int = 0
    reminders: int = 0
    failed: int = 0


def send_queued(assessment_id: int, *, now: datetime | None = None,
                pause: Callable[[float], None] = time.sleep) -> SendResult:
    """Send every waiting message of an assessment (see the module's rules).

    ``pause`` waits between messages (MAIL_RATE_PER_MINUTE) and before a try again; ``now``
    is when interrupted messages are judged (for the tests; default: now). The counts go in
    the audit log, without addresses.
    """
    config = current_app.config
    postal = mail.settings(config)
    recover_interrupted(assessment_id, now)
    forget_expired_addresses(int(config["INVITATION_ADDRESS_DAYS"]), now, assessment_id)
    assessment = read_session().get(Assessment, assessment_id)
    if assessment is None:
        return SendResult()
    interval = 60.0 / float(config["MAIL_RATE_PER_MINUTE"])
    attempts = max(1, int(config["MAIL_ATTEMPTS"]))
    backoff = float(config["MAIL_RETRY_SECONDS"])
    secret = _secret()
    sent = {MailKind.INVITATION.value: 0, MailKind.REMINDER.value: 0}
    failed = 0
    texts: dict[tuple[str, str], mail_texts.MailText] = {}
    postman = mail.Postman(postal)
    in_batch = 0
    try:
        while (claimed := _claim_next(assessment_id)) is not None:
            invitation_id, address, language, nonce, kind, tries = claimed
            if in_batch >= BATCH_SIZE:
                postman.close()
                in_batch = 0
            key = (language, kind)
            if key not in texts:
                texts[key] = mail_text(assessment_id, language, kind)
            link = personal_link(invitation_links.link_token(secret, invitation_id, nonce))
            content = filled(assessment, language, kind, link, texts[key])
            try:
                message = mail.compose(sender=postal.sender, to=address,
                                       subject=content.subject, body=content.body,
                                       link=link, language=language)
                postman.send(message)
            except DeliveryFailed as failure:
                final = (isinstance(failure, PermanentFailure) or failure.handed_over
                         or tries + 1 >= attempts)
                _record_failure(invitation_id, failure, final)
                if final:
                    failed += 1
                    if not failure.handed_over and not isinstance(failure, PermanentFailure) \
                            and failure.reason.startswith(mail.UNREACHABLE):
                        failed += _fail_waiting(assessment_id, failure.reason)
                else:
                    pause(backoff * 2 ** tries)
                continue
            except MailError as refused:  # an address that cannot be a header
                _record_failure(invitation_id, DeliveryFailed(str(refused)), True)
                failed += 1
                continue
            _record_sent(invitation_id, kind)
            sent[kind] += 1
            in_batch += 1
            pause(interval)
    finally:
        postman.close()
    result = SendResult(sent[MailKind.INVITATION.value], sent[MailKind.REMINDER.value], failed)
    if result.invitations or result.reminders:
        with write_transaction() as session:
            stored = session.get(Assessment, assessment_id)
            if result.invitations:
                audit(session, "invitations_sent", None, stored, str(result.invitations))
            if result.reminders:
                audit(session, "reminders_sent", None, stored, str(result.reminders))
    return result


def _claim_next(assessment_id: int) -> tuple[int, str, str, str, str, int] | None:
    """Mark the next waiting message "sending" and commit; None when none waits.

    The UPDATE claims only a row still waiting, so two senders never take the same one.
    """
    while True:
        with write_transaction() as session:
            row = session.execute(
                select(Invitation.id, Invitation.address, Invitation.language,
                       Invitation.nonce, Invitation.message, Invitation.attempts)
                .where(Invitation.assessment_id == assessment_id,
                       Invitation.delivery == Delivery.QUEUED.value)
                .order_by(Invitation.id).limit(1)).first()
            if row is None:
                return None
            if row.address is None or row.nonce is None:
                session.execute(update(Invitation).where(Invitation.id == row.id).values(
                    delivery=Delivery.FAILED.value, reason=invitations.ADDRESS_GONE))
                continue
            claimed = session.execute(
                update(Invitation).where(Invitation.id == row.id,
                                         Invitation.delivery == Delivery.QUEUED.value)
                .values(delivery=Delivery.SENDING.value, claimed_at=utcnow())
                .execution_options(synchronize_session=False))
            if getattr(claimed, "rowcount", 0):
                return (row.id, row.address, row.language, row.nonce, row.message,
                        row.attempts)


def _record_sent(invitation_id: int, kind: str) -> None:
    with write_transaction() as session:
        values: dict[str, Any] = {"delivery": Delivery.SENT.value, "claimed_at": None,
                                  "reason": "", "attempts": 0}
        if kind == MailKind.REMINDER.value:
            values["reminders"] = Invitation.reminders + 1
        session.execute(update(Invitation).where(Invitation.id == invitation_id)
                        .values(**values).execution_options(synchronize_session=False))


def _record_failure(invitation_id: int, failure: DeliveryFailed, final: bool) -> None:
    """Store a failure: "failed" with the reason when final, else waiting for a try again."""
    reason = failure.reason
    if failure.handed_over:
        reason = f"{HANDED_OVER}; {MAY_HAVE_ARRIVED} ({failure.reason})"
    with write_transaction() as session:
        session.execute(update(Invitation).where(Invitation.id == invitation_id).values(
            delivery=Delivery.FAILED.value if final else Delivery.QUEUED.value,
            reason=reason[:1000], attempts=Invitation.attempts + 1, claimed_at=None)
            .execution_options(synchronize_session=False))


def _fail_waiting(assessment_id: int, reason: str) -> int:
    """The server cannot be reached: every message still waiting fails with its reason."""
    with write_transaction() as session:
        failed = session.execute(
            update(Invitation).where(Invitation.assessment_id == assessment_id,
                                     Invitation.delivery == Delivery.QUEUED.value)
            .values(delivery=Delivery.FAILED.value, reason=f"{NOT_SENT}: {reason}"[:1000])
            .execution_options(synchronize_session=False))
        return int(getattr(failed, "rowcount", 0) or 0)


# -- progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    """One invitation as the facilitator sees it: the address and how its e-mails fared.

    ``sent_in`` is "verzonden": the person sent their answers in. Nothing else about them.
    """

    id: int
    address: str | None
    delivery: str
    message: str
    reason: str
    reminders: int
    sent_in: bool


@dataclass(frozen=True)
class Progress:
    """The invitations of an assessment; its totals are counted from them."""

    rows: tuple[InvitationRow, ...]

    def _in(self, state: Delivery) -> int:
        return sum(1 for row in self.rows if row.delivery == state.value)

    @property
    def invited(self) -> int:
        """How many addresses were invited."""
        return len(self.rows)

    @property
    def waiting(self) -> int:
        """How many messages wait to be sent."""
        return self._in(Delivery.QUEUED)

    @property
    def sending(self) -> int:
        """How many messages are being handed over now."""
        return self._in(Delivery.SENDING)

    @property
    def sent(self) -> int:
        """How many messages the mail server took."""
        return self._in(Delivery.SENT)

    @property
    def failed(self) -> int:
        """How many messages failed (or were interrupted)."""
        return self._in(Delivery.FAILED)

    @property
    def reminders(self) -> int:
        """How many reminders went out, all invitations together."""
        return sum(row.reminders for row in self.rows)

    @property
    def sent_in(self) -> int:
        """How many invited people sent their answers in ("verzonden")."""
        return sum(1 for row in self.rows if row.sent_in)

    @property
    def busy(self) -> bool:
        """Whether messages are waiting or being sent."""
        return bool(self.waiting or self.sending)

    @property
    def remindable(self) -> int:
        """How many a reminder would go to now."""
        return sum(1 for row in self.rows if not row.sent_in and row.address
                   and row.delivery == Delivery.SENT.value)


def progress(assessment_id: int, now: datetime | None = None) -> Progress:
    """The invitations in the order they were added, with totals. A message "sending" for
    longer than :func:`stale_after` shows as interrupted (stored so by the next run)."""
    cutoff = (now or utcnow()) - stale_after(current_app.config)
    rows = []
    for invitation in read_session().scalars(
            select(Invitation).where(Invitation.assessment_id == assessment_id)
            .order_by(Invitation.id)):
        delivery, reason = invitation.delivery, invitation.reason
        if (delivery == Delivery.SENDING.value and invitation.claimed_at is not None
                and as_utc(invitation.claimed_at) < cutoff):
            delivery, reason = Delivery.FAILED.value, INTERRUPTED
        rows.append(InvitationRow(invitation.id, invitation.address, delivery,
                                  invitation.message, reason, invitation.reminders,
                                  invitation.sent_in))
    return Progress(tuple(rows))


# -- forgetting addresses -----------------------------------------------------------------


def forget_expired_addresses(days: int, now: datetime | None = None,
                             assessment_id: int | None = None) -> int:
    """Delete the addresses added more than ``days`` days ago (of one assessment, or all),
    each assessment in one transaction with a count in its log; return how many went."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    query = select(Invitation.assessment_id, Invitation.id).where(
        Invitation.address.is_not(None), Invitation.created_at < cutoff)
    if assessment_id is not None:
        query = query.where(Invitation.assessment_id == assessment_id)
    due: dict[int, list[int]] = {}
    for found_assessment, invitation_id in read_session().execute(query):
        due.setdefault(found_assessment, []).append(invitation_id)
    forgotten = 0
    for found_assessment, ids in due.items():
        with write_transaction() as session:
            count = invitations.forget(session, found_assessment, ids)
            if count:
                audit(session, "invitation_addresses_deleted", None,
                      session.get(Assessment, found_assessment), f"{count} ({days} dagen)")
            forgotten += count
    if forgotten:
        checkpoint()  # the deleted addresses leave SQLite's write-ahead log too
    return forgotten


# -- the participant's side ---------------------------------------------------------------


@dataclass(frozen=True)
class MailedLink:
    """What a mailed link is now: its invitation's assessment, and whether the answers were
    sent in or the address (and with it the link's use) is gone."""

    assessment: Assessment
    language: str
    sent_in: bool
    expired: bool


def mailed_link(token: str) -> MailedLink | None:
    """The invitation a mailed link belongs to, or None when it is no mailed link."""
    if not token or len(token) > 200:
        return None
    found = read_session().scalar(select(Invitation).where(
        Invitation.link_hash == invitation_links.link_hash(_secret(), token)))
    assessment = read_session().get(Assessment, found.assessment_id) if found else None
    if found is None or assessment is None:
        return None
    return MailedLink(assessment, found.language, found.sent_in, found.address is None)


def respondent_by_link(token: str) -> int | None:
    """The id of the respondent still answering with this mailed link, or None."""
    if not token or len(token) > 200:
        return None
    digest = invitation_links.link_hash(_secret(), token)
    return read_session().scalar(select(Respondent.id).where(
        Respondent.invitation_hash == digest, Respondent.submitted_at.is_(None)))


def begin(token: str, own_token: str, language: str | None) -> bool:
    """"Beginnen" on a mailed link: a new respondent with the participant's own token, which
    the mailed link resumes until the answers are sent in.

    Pressing again with the same ``own_token`` (a double click) is fine. False when the link
    cannot begin: unknown, sent in, its address gone, or someone already answers with it
    (the mailed link then resumes that one). :class:`AssessmentClosed` when the scan is not
    open.
    """
    digest = invitation_links.link_hash(_secret(), token)
    with write_transaction() as session:
        found = session.scalar(select(Invitation).where(Invitation.link_hash == digest)
                               .with_for_update())
        if found is None or found.sent_in or found.address is None:
            return False
        assessment = session.scalar(select(Assessment).where(
            Assessment.id == found.assessment_id).with_for_update(read=True))
        if assessment is None or not assessment.is_open:
            raise AssessmentClosed()
        answering = session.scalar(select(Respondent).where(
            Respondent.invitation_hash == digest))
        if answering is not None:
            return answering.token_hash == hash_token(own_token)
        now = utcnow()
        session.add(Respondent(
            assessment_id=assessment.id, token_hash=hash_token(own_token),
            invitation_hash=digest, profile={}, last_page="intro",
            source=Source.PERSONAL.value, created_at=now, updated_at=now,
            language=language if language and language != assessment.language else None))
        try:
            session.flush()
        except IntegrityError:
            return False
        return True


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])
