"""The domain's exceptions: one base, a short tree, messages that say what to do.

RegiospiegelError
├── NotAnswerable            the assessment is not open, or the respondent has submitted
│   ├── AssessmentClosed
│   │   └── AssessmentPaused paused for a moment: answers can be sent again soon
│   └── AlreadySubmitted
├── InvalidAnswers           a posted page names unknown items or values outside the scale
├── AccountError             (management) an account cannot be made or changed as asked
├── StatusChangeRefused      (management) the status changed meanwhile
├── NotComparable            (rounds) two rounds cannot be compared; ``reason`` says why
├── SessionError             (session) a projector or answering step does not fit now
├── DiscussionError          (discussion) a note, action or text cannot be changed as asked
├── BackupError              (backup) a backup file cannot be restored
│   └── TamperedBackup       the questionnaire in the file does not match its hash
└── RenderError              (reports.render) the PDF could not be rendered
    └── RenderTimeout        it took longer than the time limit

Outside the tree, because they stop the app from starting rather than one action:
QuestionnaireError (questions.loader, a broken content file) and UnsafeConfiguration
(security, production settings that must not run).
"""


class RegiospiegelError(Exception):
    """Base of every error the domain raises on purpose."""


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
