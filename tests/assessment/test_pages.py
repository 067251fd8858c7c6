"""The participant's path and what its review page counts (pure: no app, no database)."""

from __future__ import annotations

from assessment.pages import participant_pages, review_summary
from questions.loader import CONTENT_DIR, load_questionnaire

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
TITLES = {page_id: page_id for page_id in
          ("intro", "profiel", "context", "open-vragen", "overzicht")}
PAGES = participant_pages(QUESTIONNAIRE, TITLES)
STATEMENTS = QUESTIONNAIRE.statements()
PROFILE = {question.id: "x" for question in QUESTIONNAIRE.profile}


def test_the_review_lists_each_missing_statement_under_its_page():
    first_lesson = QUESTIONNAIRE.lessons[0]
    missing = first_lesson.statements[-1].id
    context = next(page for page in PAGES if page.kind == "context")
    answered = {s.id for s in STATEMENTS} - {missing, context.statements[0].id}

    review = review_summary(PAGES, QUESTIONNAIRE, answered, PROFILE)

    assert [(page.id, ids) for page, ids in review.unanswered] == [
        (first_lesson.id, (missing,)), ("context", (context.statements[0].id,))]
    assert (review.answered_count, review.statement_count) == (len(STATEMENTS) - 2,
                                                                len(STATEMENTS))
    assert review.profile_complete


def test_answers_to_unknown_statements_do_not_count_and_a_missing_profile_shows():
    one_open = set(list(PROFILE)[1:])
    review = review_summary(PAGES, QUESTIONNAIRE, {"no-such-statement"}, one_open)

    assert review.answered_count == 0
    assert sum(len(ids) for _page, ids in review.unanswered) == len(STATEMENTS)
    assert not review.profile_complete
