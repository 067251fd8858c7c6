"""The domain's exceptions: one base, a short tree, messages that say what to do.

RegiospiegelError
├── NotAnswerable        the assessment is not open, or the respondent has submitted
│   ├── AssessmentClosed
│   └── AlreadySubmitted
└── InvalidAnswers       a posted page names unknown items or values outside the scale
"""


class RegiospiegelError(Exception):
    """Base of every error the domain raises on purpose."""


class NotAnswerable(RegiospiegelError):
    """Answers cannot be changed now."""


class AssessmentClosed(NotAnswerable):
    """The assessment is not open for answers (draft or closed)."""


class AlreadySubmitted(NotAnswerable):
    """The respondent has submitted; their answers are final."""


class InvalidAnswers(RegiospiegelError):
    """A page was posted with items or values the questionnaire does not have."""
