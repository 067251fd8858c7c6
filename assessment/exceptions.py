"""The domain's exceptions: one base, a short tree, messages that say what to do.

Every exception the domain raises on purpose is defined here, so a caller finds what it can
catch in one place and catches the class it means (never the base where a specific class
fits: creating a scan that found no free join code must not blame the previous round).

RegiospiegelError
├── UnknownAssessment        the assessment is not there (any more): deleted meanwhile
├── NotAnswerable            the assessment is not open, or the respondent has submitted
│   ├── AssessmentClosed
│   │   └── AssessmentPaused paused for a moment: answers can be sent again soon
│   └── AlreadySubmitted
├── InvalidAnswers           a posted page names unknown items or values outside the scale
├── LanguageNotOffered       (participation) the scan has no questionnaire in that language
├── AccountError             (management) an account cannot be made or changed as asked
│   ├── NotAnEmailAddress
│   ├── PasswordTooShort
│   ├── AccountExists
│   └── UnknownAccount       no facilitator has that e-mail address
├── NoFreeJoinCode           (management) every join code drawn was taken: try again
├── InvalidPreviousRound     (management) the previous round is not another scan on the
│                            same questionnaire
├── StatusChangeRefused      (management) the status changed meanwhile
│   └── AssessmentPurged     the raw answers were purged: the scan stays closed
├── NotComparable            (rounds) two rounds cannot be compared; ``reason`` says why
├── SessionError             (session) a projector or answering step does not fit now
├── DiscussionError          (discussion) a note, action or text cannot be changed as asked
├── VoteError                (priorities) a vote, or opening or closing one, does not fit now
│   ├── VoteClosed           the vote is not open: the vote is not counted
│   ├── TooManyChoices
│   ├── NoChoice
│   └── UnknownLesson
├── ReportTextError          (report_texts) a report text or marking does not fit
│   ├── NotClosed            only a closed scan's report can be "definitief"
│   └── ChangedMeanwhile     the texts changed since the page was shown
├── BackupError              (backup) a backup file cannot be restored
│   └── TamperedBackup       the file does not match its checksum, hashes or answers
├── ProgrammeError           (programmes) a programme, its owner or a scan's taking part
│                            cannot be set as asked
├── DemoUnavailable          (demo) the demo cannot be seeded from this installation's content
├── MailError                (mail, mailing) an invitation by e-mail cannot be made or sent
│   ├── UnsafeHeader         a subject or address holds a line break (header injection)
│   ├── InvalidMailText      an invitation text names an unknown placeholder or lacks {link}
│   ├── MailNotConfigured    no MAIL_SERVER and MAIL_SENDER: e-mail cannot be sent
│   └── DeliveryFailed       the mail server refused or could not take a message
│       ├── TemporaryFailure     a 4xx reply or a lost connection: may be tried again
│       └── PermanentFailure     a 5xx reply: never tried again
└── RenderError              (reports.render) the PDF could not be rendered
    ├── RenderTimeout        it took longer than the time limit
    └── ReportQueueUnavailable  (reports.queue) no REDIS_URL, or Redis does not answer

Outside the tree, because they stop the app from starting rather than one action:
QuestionnaireError (questions.loader, a broken content file) and UnsafeConfiguration
(security, production settings that must not run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assessment.rounds import Reason


class RegiospiegelError(Exception):
    """Base of every error the domain raises on purpose."""


class UnknownAssessment(RegiospiegelError):
    """The assessment is not there (any more): another facilitator deleted it meanwhile."""


class NotAnswerable(RegiospiegelError):
    """Answers cannot be changed now."""


class AssessmentClosed(NotAnswerable):
    """The assessment is not open for answers (draft or closed)."""


class AssessmentPaused(AssessmentClosed):
    """The facilitator paused answering for a moment; it opens again in the same session."""


class AlreadySubmitted(NotAnswerable):
    """The respondent has submitted; their answers are final."""


class InvalidAnswers(RegiospiegelError):
    """A page was posted with items or values the questionnaire does not have."""


class LanguageNotOffered(RegiospiegelError):
    """A respondent chose a language the assessment has no questionnaire in."""


class AccountError(RegiospiegelError):
    """A facilitator account cannot be created or changed as asked."""


class NotAnEmailAddress(AccountError):
    """The account's e-mail address is not one."""


class PasswordTooShort(AccountError):
    """The password has fewer than ``management.MIN_PASSWORD_LENGTH`` characters."""


class AccountExists(AccountError):
    """Another account has this e-mail address already."""


class UnknownAccount(AccountError):
    """No facilitator has this e-mail address."""


class NoFreeJoinCode(RegiospiegelError):
    """Every random join code tried was taken; trying again draws new ones."""


class InvalidPreviousRound(RegiospiegelError):
    """The chosen previous round is not another assessment on the same questionnaire."""


class StatusChangeRefused(RegiospiegelError):
    """The assessment's status changed meanwhile, so the asked change no longer fits."""


class AssessmentPurged(StatusChangeRefused):
    """The raw answers were purged: the assessment can never take answers again."""


class NotComparable(RegiospiegelError):
    """The two rounds cannot be compared; ``reason`` says why."""

    def __init__(self, reason: Reason, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


class SessionError(RegiospiegelError):
    """A live-session action does not fit the assessment as it is now."""


class DiscussionError(RegiospiegelError):
    """A note, action or moderation names something this assessment does not have."""


class VoteError(RegiospiegelError):
    """A vote, or opening or closing one, does not fit the assessment as it is now."""


class VoteClosed(VoteError):
    """The vote is not open (not opened yet, or closed meanwhile): the vote is not counted."""


class TooManyChoices(VoteError):
    """More lessons were chosen than the vote allows."""


class NoChoice(VoteError):
    """No lesson was chosen."""


class UnknownLesson(VoteError):
    """A chosen lesson is not one of the assessment's lessons."""


class ReportTextError(RegiospiegelError):
    """A report text or marking does not fit: unknown part, too long, or the wrong moment."""


class NotClosed(ReportTextError):
    """Only the report of a closed scan can be marked "definitief"."""


class ChangedMeanwhile(ReportTextError):
    """The texts changed since the page was shown; the facilitator should read them first."""


class BackupError(RegiospiegelError):
    """A backup file cannot be restored; the message says what is wrong and what to do."""


class TamperedBackup(BackupError):
    """A backup does not match its checksum, its questionnaire's hash, or its summary does not
    agree with its answers: the file was changed after the backup."""


class ProgrammeError(RegiospiegelError):
    """A programme, its owner or a scan's taking part cannot be set as asked."""


class DemoUnavailable(RegiospiegelError):
    """The demo needs a questionnaire this installation's QUESTIONS_DIR does not have."""


class MailError(RegiospiegelError):
    """An invitation by e-mail cannot be made or sent as asked."""


class UnsafeHeader(MailError):
    """A subject, address or sender holds a line break: it could add headers of its own."""


class InvalidMailText(MailError):
    """An invitation text names a placeholder that does not exist, or lacks the link.

    ``problem`` says which (see :func:`assessment.mail_texts.check`); ``names`` the unknown
    placeholders; ``in_subject`` whether the subject is at fault.
    """

    def __init__(self, problem: str, names: tuple[str, ...] = (),
                 in_subject: bool = False) -> None:
        super().__init__(problem + (": " + ", ".join(names) if names else ""))
        self.problem = problem
        self.names = names
        self.in_subject = in_subject


class MailNotConfigured(MailError):
    """MAIL_SERVER and MAIL_SENDER are not set, so no e-mail can be sent."""


class DeliveryFailed(MailError):
    """The mail server did not take a message; ``reason`` is its reply (or what failed)."""

    def __init__(self, reason: str, *, handed_over: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: Whether the message may have reached the server all the same (the connection
        #: broke while it was being handed over): never sent again automatically.
        self.handed_over = handed_over


class TemporaryFailure(DeliveryFailed):
    """A 4xx reply, or no connection: the same message may be tried again later."""


class PermanentFailure(DeliveryFailed):
    """A 5xx reply: the server will not take this message; it is not tried again."""


class RenderError(RegiospiegelError):
    """The report could not be rendered."""


class RenderTimeout(RenderError):
    """Rendering took longer than its time limit; the render was stopped."""


class ReportQueueUnavailable(RenderError):
    """The report queue is not configured or Redis cannot be reached."""
