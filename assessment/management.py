"""Every write a facilitator causes: accounts, assessments, opening and closing."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assessment import anonymity, invitations
from assessment.db import checkpoint, read_session, write_transaction
from assessment.exceptions import (
    AccountError,
    AccountExists,
    AssessmentPurged,
    InvalidPreviousRound,
    NoFreeJoinCode,
    NotAnEmailAddress,
    PasswordTooShort,
    StatusChangeRefused,
    UnknownAccount,
    UnknownAssessment,
)
from assessment.models import (
    Assessment,
    AssessmentShare,
    AssessmentTranslation,
    AuditEvent,
    Facilitator,
    Respondent,
    Source,
    Status,
    utcnow,
)
from assessment.participation import hash_token, not_started
from questions.loader import content_hash, snapshot_json
from questions.schema import Questionnaire

#: Join codes avoid characters that are easily confused when read aloud or from a screen
#: (0/O, 1/I/L). Six of these give about 887 million codes; guessing is rate-limited.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
#: The longest join code the database can store (a code given to create_assessment may be
#: longer than six); anything longer is never looked up.
MAX_JOIN_CODE_LENGTH = 12
MIN_PASSWORD_LENGTH = 10


def normalise_join_code(typed: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its stored form."""
    return re.sub(r"[\s-]", "", typed).upper()[:20]


def assessment_by_join_code(typed: str) -> Assessment | None:
    """The assessment whose join code this is, as typed (any case, spaces or dashes), or None.

    Something longer than a stored join code can be (12 characters) is never looked up.
    """
    code = normalise_join_code(typed)
    if not code or len(code) > MAX_JOIN_CODE_LENGTH:
        return None
    return read_session().scalar(select(Assessment).where(Assessment.join_code == code))


def new_join_code() -> str:
    """A random join code."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def create_facilitator(email: str, password: str, name: str = "", is_admin: bool = False,
                       actor: Actor = None) -> int:
    """Create a facilitator account (audited, with ``actor`` who made it); return its id."""
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise NotAnEmailAddress(f"'{email}' is not an e-mail address")
    _check_password(password)
    try:
        with write_transaction() as session:
            facilitator = Facilitator(
                email=email, name=name.strip(), password_hash=hash_password(password),
                is_admin=is_admin,
            )
            session.add(facilitator)
            session.flush()
            audit(session, "account_created", actor, None,
                  email + (" (admin)" if is_admin else ""))
            return facilitator.id
    except IntegrityError as exc:
        raise AccountExists(f"a facilitator with e-mail {email} already exists") from exc


def facilitator_accounts() -> list[tuple[Facilitator, int]]:
    """Every facilitator account by e-mail address, with how many assessments it owns."""
    owned = (select(Assessment.owner_id, func.count().label("n"))
             .group_by(Assessment.owner_id).subquery())
    rows = read_session().execute(
        select(Facilitator, func.coalesce(owned.c.n, 0))
        .outerjoin(owned, owned.c.owner_id == Facilitator.id).order_by(Facilitator.email))
    return [(facilitator, count) for facilitator, count in rows]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def normalise_email(email: str) -> str:
    """An e-mail address as accounts store it: trimmed, in lower case."""
    return email.strip().lower()


def authenticate(email: str, password: str) -> Facilitator | None:
    """The facilitator with these credentials, or None; the attempt goes in the audit log.

    A login is logged with its account; a failed one with the account's e-mail address as
    its detail, or, when no account has the address typed, as "login_failed_unknown"
    without it: what was typed may be a password in the wrong field. The password itself is
    never written anywhere.
    """
    facilitator = read_session().scalar(
        select(Facilitator).where(Facilitator.email == normalise_email(email))
    )
    if facilitator is None:
        # Spend the same time as a real check, so timing does not tell which e-mails exist.
        check_password_hash(_dummy_hash(_hash_method()), password)
        record_event("login_failed_unknown", None)
        return None
    if not check_password_hash(facilitator.password_hash, password):
        # Not the account as actor: whoever typed the password is not known.
        record_event("login_failed", None, detail=facilitator.email)
        return None
    record_event("logged_in", facilitator)
    return facilitator


def hash_password(password: str) -> str:
    """A password's hash by the configured method (scrypt; a cheap one in the tests)."""
    return generate_password_hash(password, method=_hash_method())


def _hash_method() -> str:
    return str(current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash no password matches, checked when the e-mail is unknown: as slow as a real one."""
    return generate_password_hash(secrets.token_hex(8), method=method)


def create_assessment(
    owner_id: int,
    region: str,
    title: str,
    questionnaire: Questionnaire,
    join_code: str | None = None,
    actor: Facilitator | None = None,
    preparation: Preparation | None = None,
    translations: Sequence[Questionnaire] = (),
) -> int:
    """Create a draft assessment that freezes ``questionnaire``; return its id.

    ``translations`` are the same questionnaire in other languages (same ids), frozen with
    it so participants may answer in their own language.
    """
    snapshot = snapshot_json(questionnaire)
    preparation = preparation or Preparation(region, title)
    for _attempt in range(10):
        code = join_code or new_join_code()
        try:
            with write_transaction() as session:
                assessment = Assessment(
                    owner_id=owner_id, region=region.strip(), title=title.strip(),
                    language=questionnaire.language, questionnaire_id=questionnaire.id,
                    questionnaire_version=questionnaire.version,
                    content_hash=content_hash(questionnaire), content_snapshot=snapshot,
                    status=Status.DRAFT.value, join_code=code,
                )
                assessment.translations = [
                    AssessmentTranslation(language=other.language,
                                          content_hash=content_hash(other),
                                          content_snapshot=snapshot_json(other))
                    for other in translations if other.language != questionnaire.language
                ]
                session.add(assessment)
                session.flush()
                _prepare(session, assessment, preparation)
                audit(session, "created", actor, assessment)
                return assessment.id
        except IntegrityError:
            if join_code:
                raise
    raise NoFreeJoinCode("no free join code found; try again")


#: The longest region, title and commissioner (as their columns allow), list of
#: organisations, and the most invited participants: the preparation form and a restored
#: backup both keep to these.
MAX_REGION_LENGTH = 200
MAX_TITLE_LENGTH = 200
MAX_COMMISSIONER_LENGTH = 200
MAX_ORGANISATIONS_LENGTH = 5000
MAX_INVITED = 10_000


@dataclass(frozen=True)
class Preparation:
    """What a facilitator prepares for a session (everything but the questionnaire)."""

    region: str
    title: str
    session_date: date | None = None
    previous_id: int | None = None
    invited_count: int | None = None
    organisations: str = ""
    #: Who asked for the scan, for the report's cover; optional.
    commissioner: str = ""


def prepare(assessment_id: int, preparation: Preparation, actor: Facilitator | None) -> None:
    """Change an assessment's preparation."""
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        _prepare(session, assessment, preparation)
        audit(session, "prepared", actor, assessment)


def _prepare(session: Session, assessment: Assessment, preparation: Preparation) -> None:
    if preparation.previous_id is not None:
        previous = session.get(Assessment, preparation.previous_id)
        if (previous is None or previous.id == assessment.id
                or previous.questionnaire_id != assessment.questionnaire_id):
            raise InvalidPreviousRound("the previous round must be another assessment on the "
                                       "same questionnaire")
    cover = (assessment.region, assessment.title, assessment.commissioner,
             assessment.session_date)
    assessment.region = preparation.region.strip()
    assessment.title = preparation.title.strip()
    assessment.commissioner = preparation.commissioner.strip()
    assessment.session_date = preparation.session_date
    if cover != (assessment.region, assessment.title, assessment.commissioner,
                 assessment.session_date):
        # The report's cover changed: a final report is a concept again (report_texts.py).
        assessment.report_final_at = None
    assessment.previous_id = preparation.previous_id
    assessment.invited_count = preparation.invited_count
    lines = (line.strip() for line in preparation.organisations.splitlines())
    assessment.organisations = "\n".join(line for line in lines if line)


def set_status(
    assessment_id: int, status: Status, actor: Facilitator | None = None,
    expected: frozenset[Status] | None = None,
) -> None:
    """Open, pause, resume or close an assessment (a closed one can be opened again).

    With ``expected``, the change happens only when the current status is one of those,
    checked inside the transaction (two facilitators clicking at once cannot both win).
    An assessment whose raw answers were purged stays closed (:class:`AssessmentPurged`):
    answers sent in after the purge would sit beside a summary that never counts them.
    Resuming a paused assessment keeps its original opening time. Closing deletes the
    addresses of its invitations by e-mail (:func:`invitations.forget`), and publishes the
    results of every respondent who sent in, and leaving the closed state keeps what the
    closed scan showed (``published_respondents``, see :mod:`assessment.anonymity`).
    """
    forgotten = 0
    with write_transaction() as session:
        # Locked, so on PostgreSQL a second click waits and then sees the first one's status.
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        current = Status(assessment.status)
        if expected is not None and current not in expected:
            raise StatusChangeRefused(f"the assessment is {current.value}")
        if assessment.purged_at is not None and status is not Status.CLOSED:
            raise AssessmentPurged("the raw answers of this assessment were purged")
        if current is not Status.CLOSED and status is Status.CLOSED:
            assessment.published_respondents = anonymity.published_at_close(
                _submitted(session, assessment.id), assessment.published_respondents)
        elif current is Status.CLOSED and status is not Status.CLOSED:
            assessment.published_respondents = anonymity.published_at_reopen(
                _submitted(session, assessment.id), assessment.published_respondents)
        assessment.status = status.value
        resuming = current is Status.PAUSED and status is Status.OPEN
        action = {Status.OPEN: "resumed" if resuming else "opened", Status.PAUSED: "paused",
                  Status.CLOSED: "closed", Status.DRAFT: "drafted"}[status]
        audit(session, action, actor, assessment)
        if status is Status.OPEN and not resuming:
            assessment.opened_at = utcnow()
            assessment.closed_at = None
        elif status is Status.CLOSED:
            assessment.closed_at = utcnow()
            # Nobody answers any more: the invitations' addresses go (the log keeps a count).
            forgotten = invitations.forget(session, assessment.id)
            if forgotten:
                audit(session, "invitation_addresses_deleted", actor, assessment,
                      str(forgotten))
        if status is not Status.CLOSED:
            # A restored backup may keep the summary it had when closed; once answering can
            # go on, the summary must follow the answers again.
            assessment.summary_snapshot = None
    if forgotten:
        checkpoint()  # the deleted addresses leave SQLite's write-ahead log too


def _submitted(session: Session, assessment_id: int) -> int:
    """Respondents of the assessment who sent in, as the transaction sees them."""
    return session.scalar(select(func.count()).select_from(Respondent).where(
        Respondent.assessment_id == assessment_id, Respondent.submitted_at.is_not(None))) or 0


def respondent_counts(assessment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per assessment: (respondents started, respondents submitted).

    A respondent counts as started only once they saved a page
    (:func:`participation.not_started`): a personal link made in advance that nobody used
    yet, or a "Beginnen" pressed without answering, is not counted.
    """
    if not assessment_ids:
        return {}
    rows = read_session().execute(
        select(
            Respondent.assessment_id,
            func.count().filter(~not_started()),
            func.count(Respondent.submitted_at),
        )
        .where(Respondent.assessment_id.in_(assessment_ids))
        .group_by(Respondent.assessment_id)
    )
    counts = {assessment_id: (0, 0) for assessment_id in assessment_ids}
    for assessment_id, started, submitted in rows:
        counts[assessment_id] = (started, submitted)
    return counts


def may_access(facilitator_id: int, assessment: Assessment) -> bool:
    """Whether a facilitator owns the assessment or is one of its co-facilitators."""
    if assessment.owner_id == facilitator_id:
        return True
    share = read_session().get(AssessmentShare, (assessment.id, facilitator_id))
    return share is not None


def accessible_assessments(facilitator_id: int) -> list[Assessment]:
    """The assessments a facilitator owns or co-facilitates, newest first."""
    shared = select(AssessmentShare.assessment_id).where(
        AssessmentShare.facilitator_id == facilitator_id)
    return list(read_session().scalars(
        select(Assessment)
        .where((Assessment.owner_id == facilitator_id) | Assessment.id.in_(shared))
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    ))


@dataclass(frozen=True)
class Operator:
    """Who runs a command on the server, for the audit log: the operating-system user, and
    the name given with ``--actor`` if any (several people may share one account)."""

    system_user: str
    name: str = ""

    @property
    def recorded(self) -> str:
        """As the audit log keeps it: "beheer@regio.nl (root)", or the user alone."""
        name = self.name.strip()
        if not name or name == self.system_user:
            return self.system_user[:200]
        return f"{name} ({self.system_user})"[:200]


#: Who does something the audit log records: a logged-in facilitator, the operator on the
#: command line, or nobody known (the app by itself, or a failed login).
Actor = Facilitator | Operator | None


def audit(
    session: Session, action: str, actor: Actor,
    assessment: Assessment | None = None, detail: str = "",
) -> None:
    """Add an event to the audit log, inside the caller's transaction (one user action)."""
    facilitator = actor if isinstance(actor, Facilitator) else None
    session.add(AuditEvent(
        facilitator_id=facilitator.id if facilitator else None,
        facilitator_email=facilitator.email if facilitator else "",
        operator=actor.recorded if isinstance(actor, Operator) else "",
        assessment_id=assessment.id if assessment else None,
        assessment_title=assessment.title if assessment else "",
        action=action, detail=detail[:2000],
    ))


def record_event(action: str, actor: Actor, assessment_id: int | None = None,
                 detail: str = "") -> None:
    """Write one audit event in a transaction of its own: for an action that changes
    nothing else, such as logging in or reading a report."""
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id) if assessment_id else None
        audit(session, action, actor, assessment, detail)


def share(assessment_id: int, email: str, actor: Facilitator | None) -> Facilitator:
    """Make another facilitator a co-facilitator of an assessment."""
    with write_transaction() as session:
        # Locked, so two shares with the same colleague at once add one row, not a conflict.
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        colleague = session.scalar(
            select(Facilitator).where(Facilitator.email == email.strip().lower()))
        if assessment is None or colleague is None:
            raise UnknownAccount(f"no facilitator with e-mail {email.strip().lower()}")
        if colleague.id == assessment.owner_id:
            raise AccountError("the owner already has access")
        if session.get(AssessmentShare, (assessment_id, colleague.id)) is None:
            session.add(AssessmentShare(assessment_id=assessment_id, facilitator_id=colleague.id))
            audit(session, "shared", actor, assessment, colleague.email)
        return colleague


def unshare(assessment_id: int, facilitator_id: int, actor: Facilitator | None) -> None:
    """Take a co-facilitator's access away."""
    with write_transaction() as session:
        # Locked: two removals at once on PostgreSQL delete once, the second finds nothing.
        found = session.get(AssessmentShare, (assessment_id, facilitator_id), with_for_update=True)
        assessment = session.get(Assessment, assessment_id)
        if found is not None:
            colleague = session.get(Facilitator, facilitator_id)
            session.delete(found)
            audit(session, "unshared", actor, assessment, colleague.email if colleague else "")


def co_facilitators(assessment_id: int) -> list[Facilitator]:
    """The co-facilitators of an assessment, by e-mail."""
    return list(read_session().scalars(
        select(Facilitator).join(AssessmentShare,
                                 AssessmentShare.facilitator_id == Facilitator.id)
        .where(AssessmentShare.assessment_id == assessment_id).order_by(Facilitator.email)))


def delete_assessment(assessment_id: int, actor: Facilitator | None) -> None:
    """Delete an assessment with all its respondents, answers, texts, notes and actions.

    Also from SQLite's write-ahead log (:func:`db.checkpoint`). Its rendered reports are the
    report jobs' to forget (``reports.jobs().forget``): the caller's, as this module comes
    before the reports.
    """
    with write_transaction() as session:
        # Locked: a second delete at once waits, then finds nothing (and logs nothing).
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            return
        audit(session, "deleted", actor, assessment,
              f"{assessment.region} – {assessment.title} ({assessment.join_code})")
        session.delete(assessment)
    checkpoint()


def create_personal_links(assessment_id: int, count: int, actor: Facilitator | None) -> list[str]:
    """Make ``count`` anonymous respondents in advance; return their tokens (shown once).

    Only the tokens' hashes are stored, so the links exist only in what is returned here.
    """
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        # Each link is an invitation: the first "Beginnen" exchanges it for the participant's
        # own token (participation.accept_invitation), so this file opens no answers.
        session.add_all(Respondent(assessment_id=assessment_id, token_hash=hash_token(token),
                                   invitation_hash=hash_token(token),
                                   source=Source.PERSONAL.value) for token in tokens)
        audit(session, "personal_links", actor, assessment, str(count))
    return tokens


def reset_password(email: str, password: str, actor: Actor = None) -> None:
    """Give a facilitator a new password (by an admin, or on the command line)."""
    _check_password(password)
    with write_transaction() as session:
        facilitator = session.scalar(
            select(Facilitator).where(Facilitator.email == email.strip().lower()))
        if facilitator is None:
            raise UnknownAccount(f"no facilitator with e-mail {email.strip().lower()}")
        facilitator.password_hash = hash_password(password)
        # Whoever knew the old password may be logged in somewhere: end every session.
        facilitator.session_version += 1
        audit(session, "password_reset", actor, None, facilitator.email)


def end_sessions(facilitator_id: int) -> None:
    """End every login session of a facilitator (on logging out), copies of its cookie too."""
    with write_transaction() as session:
        session.execute(update(Facilitator).where(Facilitator.id == facilitator_id)
                        .values(session_version=Facilitator.session_version + 1))


def audit_events(assessment_id: int | None = None, limit: int = 200,
                 offset: int = 0) -> list[AuditEvent]:
    """The newest audit events, of one assessment or of all; ``offset`` skips the newest."""
    query = (select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
             .limit(limit).offset(offset))
    if assessment_id is not None:
        query = query.where(AuditEvent.assessment_id == assessment_id)
    return list(read_session().scalars(query))


def deleted_assessments() -> list[AuditEvent]:
    """The deletion event of every deleted assessment, newest first: their logs remain."""
    existing = select(Assessment.id)
    return list(read_session().scalars(
        select(AuditEvent).where(AuditEvent.action == "deleted",
                                 AuditEvent.assessment_id.not_in(existing))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))
