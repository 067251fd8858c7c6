"""The participant's path: the pages of a questionnaire, in order.

intro → profiel → one page per lesson → context → open-vragen → overzicht (review).
The context and open-question pages appear only when the questionnaire has them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from questions.schema import ContextBlock, Lesson, Questionnaire, Statement

PageKind = Literal["intro", "profile", "lesson", "context", "open", "review"]


@dataclass(frozen=True)
class Page:
    """One page of the path: its id (used in the URL), kind and what it asks."""

    id: str
    kind: PageKind
    title: str
    lesson: Lesson | None = None
    blocks: tuple[ContextBlock, ...] = ()

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The statements this page asks about."""
        if self.lesson is not None:
            return self.lesson.statements
        return tuple(s for block in self.blocks for s in block.statements)

    @property
    def saves_answers(self) -> bool:
        """Whether the page has a form whose answers are stored."""
        return self.kind in ("profile", "lesson", "context", "open")


def participant_pages(questionnaire: Questionnaire, titles: dict[str, str]) -> tuple[Page, ...]:
    """Every page of the path; ``titles`` names the fixed pages in the interface language."""
    pages = [Page("intro", "intro", titles["intro"]), Page("profiel", "profile", titles["profiel"])]
    pages += [Page(lesson.id, "lesson", lesson.title, lesson=lesson)
              for lesson in questionnaire.lessons]
    if questionnaire.context_blocks:
        pages.append(Page("context", "context", titles["context"],
                          blocks=questionnaire.context_blocks))
    if questionnaire.open_questions:
        pages.append(Page("open-vragen", "open", titles["open-vragen"]))
    pages.append(Page("overzicht", "review", titles["overzicht"]))
    return tuple(pages)


@dataclass(frozen=True)
class Progress:
    """Where a page stands in the path (1-based), for the progress bar."""

    number: int
    total: int

    @property
    def percent(self) -> int:
        """Share of the path reached, rounded down."""
        return self.number * 100 // self.total


def progress(pages: tuple[Page, ...], page_id: str) -> Progress:
    """The position of a page in the path."""
    index = next(i for i, page in enumerate(pages) if page.id == page_id)
    return Progress(index + 1, len(pages))


def neighbours(pages: tuple[Page, ...], page_id: str) -> tuple[Page | None, Page | None]:
    """The pages before and after ``page_id``."""
    index = next(i for i, page in enumerate(pages) if page.id == page_id)
    before = pages[index - 1] if index > 0 else None
    after = pages[index + 1] if index + 1 < len(pages) else None
    return before, after


@dataclass(frozen=True)
class Review:
    """What the review page tells a respondent before sending in."""

    #: Per page of the path that has statements without an answer: the page and their ids.
    unanswered: tuple[tuple[Page, tuple[str, ...]], ...]
    answered_count: int
    statement_count: int
    #: Whether every question about the respondent (the profile page) has an answer.
    profile_complete: bool


def review_summary(pages: tuple[Page, ...], questionnaire: Questionnaire,
                   answered: Collection[str], profile: Collection[str]) -> Review:
    """The review page's counts, from the ids of the statements and profile questions answered.

    Every statement of the questionnaire counts once, whichever page asks it; a statement
    the respondent marked "weet ik niet" is answered. Unanswered statements are listed under
    the page that asks them, in the order of the path, so each links back to its page.
    """
    unanswered = tuple(
        (page, missing) for page in pages
        if (missing := tuple(s.id for s in page.statements if s.id not in answered)))
    statements = questionnaire.statements()
    return Review(
        unanswered=unanswered,
        answered_count=sum(1 for s in statements if s.id in answered),
        statement_count=len(statements),
        profile_complete={question.id for question in questionnaire.profile} <= set(profile),
    )
