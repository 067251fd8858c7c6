"""The projector: its deck of slides, grouped texts, moving and blanking, the presenter view."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment import discussion, management, priorities, projector, session
from assessment.db import read_session
from assessment.models import Assessment, Comment, LessonNote, Moderation, Status
from assessment.projector import GroupedAnswer, SlideKind, SlideSpec
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.assessment.facilitator.test_live import OWNER_EMAIL, OWNER_PASSWORD, add_respondent
from tests.helpers import DEMO_JOIN_CODE, TRYOUT_ID, TRYOUT_JOIN_CODE, csrf_token, login, moderate

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
BASE = "/begeleider/scans/1"


# -- the deck ----------------------------------------------------------------------------


def kinds(deck: tuple[SlideSpec, ...]) -> list[tuple[str, str]]:
    return [(slide.kind.value, slide.subject) for slide in deck]


def test_the_deck_without_texts_or_actions():
    deck = projector.slide_deck(QUESTIONNAIRE, {}, [])
    lessons = [lesson.id for lesson in QUESTIONNAIRE.lessons]
    assert kinds(deck) == [
        ("join", ""), ("overview", ""),
        *[pair for lesson in lessons for pair in (("lesson", lesson), ("groups", lesson))],
        ("group_table", "organisatietype"), ("group_table", "rol"),
        ("quadrant", ""), ("actions", ""),
    ]
    assert deck[1] == SlideSpec(SlideKind.OVERVIEW, "", 0, 10, 1, 1)
    assert deck[2] == SlideSpec(SlideKind.LESSON, "urgentie", 0, 4, 1, 1)
    assert deck[-1] == SlideSpec(SlideKind.ACTIONS, "", 0, 0, 1, 1)


def test_texts_come_per_open_question_then_per_lesson_and_extra_slides_last():
    texts = {"urgentie": (GroupedAnswer("Kort", 1),),
             "grootste-obstakel": tuple(GroupedAnswer(f"Tekst {i}", 1) for i in range(8)),
             "sterkste-punt": ()}
    vote = SlideSpec(SlideKind.JOIN, "stemming")  # any kind: the caller's extra slide
    deck = projector.slide_deck(QUESTIONNAIRE, texts, [10, 10], extra=[vote])
    tail = deck[deck.index(SlideSpec(SlideKind.QUADRANT)) + 1:]
    assert tail == (
        SlideSpec(SlideKind.TEXTS, "grootste-obstakel", 0, 6, 1, 2),
        SlideSpec(SlideKind.TEXTS, "grootste-obstakel", 6, 8, 2, 2),
        SlideSpec(SlideKind.TEXTS, "urgentie", 0, 1, 1, 1),
        SlideSpec(SlideKind.ACTIONS, "", 0, 2, 1, 1),
        vote,
    )


@pytest.mark.parametrize(("lengths", "expected"), [
    ([], ((0, 0),)),
    ([10] * 6, ((0, 6),)),
    ([10] * 7, ((0, 6), (6, 7))),
    # 160 characters are 2 lines and a half: five fit in 13 lines, the sixth does not.
    ([160] * 6, ((0, 5), (5, 6))),
    # A text longer than a slide has a slide alone, between the others.
    ([10, 2000, 10], ((0, 1), (1, 2), (2, 3))),
])
def test_pages_fit_items_and_lines(lengths, expected):
    assert projector.pages(lengths) == expected


def test_a_stored_position_is_brought_into_the_deck():
    deck = projector.slide_deck(QUESTIONNAIRE, {}, [])
    assert projector.position(deck, 99) == len(deck) - 1
    assert projector.position(deck, -3) == 0
    assert projector.position(deck, 4) == 4


def test_every_kind_of_slide_has_a_builder_a_name_and_a_template(app):
    from assessment.facilitator import projector_routes

    for kind in SlideKind:
        assert kind in projector_routes.SLIDE_CONTENT and kind in projector_routes.KIND_NAMES
        app.jinja_env.get_template(f"facilitator/slides/{kind.value}.html")


def test_a_statement_splits_around_the_middle_as_worded():
    from assessment.aggregation import Distribution, StatementSummary

    statement = QUESTIONNAIRE.lesson("urgentie").statements[0]
    bar = projector.statement_bar(statement, StatementSummary(
        statement.id, True, Distribution((1, 2, 3, 4, 6), 7, 1), 2.0))
    assert (bar.disagree, bar.neutral, bar.agree) == ((2, 1), 3, (4, 6))
    assert (bar.dont_know, bar.not_applicable, bar.valid) == (7, 1, 16)
    assert bar.reach == (10 + 1.5) / 16


def test_the_overview_ranks_by_score_ties_in_questionnaire_order_unscored_last():
    from assessment.aggregation import Response, summarise
    from tests.assessment.facilitator.test_live import scores

    responses = [Response(i, "gemeente", {
        **scores(3), **{s.id: "weet_niet" for s in QUESTIONNAIRE.lesson("visie").statements},
        **{s.id: str(1 if s.reverse else 5) for s in QUESTIONNAIRE.lesson("rijk").statements}})
        for i in range(3)]
    rows = projector.overview(QUESTIONNAIRE, summarise(QUESTIONNAIRE, responses))
    order = [row.lesson.id for row in rows]
    assert order[0] == "rijk" and order[-1] == "visie"
    assert order[1:-1] == [lesson.id for lesson in QUESTIONNAIRE.lessons
                           if lesson.id not in ("rijk", "visie")]
    assert projector.overview(QUESTIONNAIRE, summarise(QUESTIONNAIRE, responses[:2])) == ()


# -- grouping identical texts ------------------------------------------------------------


def test_identical_texts_are_counted_once_compared_normalised():
    grouped = projector.group_answers([
        "Meer geld", "  meer   GELD ", "Meer\ngeld", "Andere tekst", "aaa", "", "   ",
    ])
    assert grouped == (GroupedAnswer("Meer geld", 3), GroupedAnswer("aaa", 1),
                       GroupedAnswer("Andere tekst", 1))


def test_the_shown_text_does_not_depend_on_the_order_given():
    texts = ["meer geld", "Meer Geld", "MEER GELD"]
    assert projector.group_answers(texts) == projector.group_answers(list(reversed(texts)))


def test_a_long_text_is_shortened_at_a_word():
    grouped = projector.group_answers(["woord " * 200])
    assert grouped[0].shortened and grouped[0].text.endswith(" …")
    assert len(grouped[0].text) <= projector.MAX_SHOWN_CHARACTERS + 2
    assert "woor …" not in grouped[0].text


# -- moving ------------------------------------------------------------------------------


P = session.ProjectorPosition


@pytest.mark.parametrize(("current", "move", "expected"), [
    (P(0, False), session.RevealMove.NEXT, P(1, False)),
    (P(2, False), session.RevealMove.PREVIOUS, P(1, False)),
    (P(0, False), session.RevealMove.PREVIOUS, P(0, False)),
    (P(29, False), session.RevealMove.NEXT, P(29, False)),
    (P(7, False), session.RevealMove.RESET, P(0, False)),
    (P(7, False), session.RevealMove.END, P(29, False)),
    (P(44, False), session.RevealMove.PREVIOUS, P(29, False)),
    (P(7, False), session.RevealMove.BLANK, P(7, True)),
    (P(7, True), session.RevealMove.BLANK, P(7, False)),
    (P(7, True), session.RevealMove.NEXT, P(8, False)),
])
def test_moves_stay_in_the_deck_and_blank_toggles(current, move, expected):
    assert session.next_position(current, move, 30) == expected


def _stored(app, assessment_id: int = 1) -> Assessment:
    with app.app_context():
        return read_session().get(Assessment, assessment_id)


def _move(client, move: str, **extra) -> object:
    token = csrf_token(client.get(f"{BASE}/presentator"))
    return client.post(f"{BASE}/projector/stap", data={"csrf_token": token, "stap": move},
                       **extra)


def test_the_presenter_moves_the_projector_and_comes_back(app, facilitator_client):
    response = _move(facilitator_client, "volgende")
    assert response.status_code == 302
    assert response.location == f"{BASE}/presentator"
    assert _stored(app).reveal_step == 1
    html = facilitator_client.get(f"{BASE}/projector").get_data(as_text=True)
    assert 'data-kind="overview"' in html
    assert "Alle lessen, van hoog naar laag" in html
    _move(facilitator_client, "zwart")
    assert (_stored(app).reveal_step, _stored(app).projector_blank) == (1, True)
    _move(facilitator_client, "einde")
    stored = _stored(app)
    assert stored.projector_blank is False and stored.reveal_step > 20
    _move(facilitator_client, "begin")
    assert _stored(app).reveal_step == 0
    assert _move(facilitator_client, "opzij").status_code == 400


def test_a_key_press_gets_the_new_position_as_json(app, facilitator_client):
    response = _move(facilitator_client, "volgende", headers={"Accept": "application/json"})
    state = response.get_json()
    assert state["slide"] == 1 and state["kind"] == "overview" and state["blank"] is False
    # The demo's filled-in scan is closed: nobody is answering any more.
    assert state["answering"] is False and state["submitted"] == 28
    assert state["title"] == "Overzicht" and state["next_title"] == "1. Urgentie – Stellingen"
    again = facilitator_client.get(f"{BASE}/projector.json").get_json()
    assert again["version"] == state["version"]
    _move(facilitator_client, "volgende")
    assert facilitator_client.get(f"{BASE}/projector.json").get_json()["version"] != \
        state["version"]


def test_the_join_slide_has_the_code_link_and_qr_code(facilitator_client):
    html = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/projector").get_data(
        as_text=True)
    assert 'data-kind="join"' in html
    assert TRYOUT_JOIN_CODE in html and f"http://regiospiegel.test/d/{TRYOUT_JOIN_CODE}" in html
    assert f'src="/begeleider/scans/{TRYOUT_ID}/qr.svg"' in html


def test_a_closed_scan_opens_with_a_title_not_a_code_to_join_by(facilitator_client):
    html = facilitator_client.get(f"{BASE}/projector/dia").get_data(as_text=True)
    assert 'data-kind="join"' in html and "Regio Zwolle – casus Dalfsen" in html
    assert "28 deelnemers stuurden hun antwoorden in" in html
    assert DEMO_JOIN_CODE not in html and "qr.svg" not in html


def test_a_divided_lesson_is_marked_in_words(facilitator_client):
    for _ in range(6):  # join, overview, then two lessons with their groups slides
        _move(facilitator_client, "volgende")
    html = facilitator_client.get(f"{BASE}/projector/dia").get_data(as_text=True)
    assert "<h1>Regionaal leiderschap</h1>" in html
    assert 'class="signal signal-divided">Verdeeld<' in html
    assert 'class="band band-zorg">Zorg<' in html
    assert re.search(r"Score <strong>\d,\d</strong>", html)


def test_the_projector_page_has_no_controls(facilitator_client):
    html = facilitator_client.get(f"{BASE}/projector").get_data(as_text=True)
    assert not re.search(r"<(button|a|input|select|textarea|form)\b", html)
    assert 'data-csrf="' in html  # the keys post with the form token


def test_every_slide_renders_and_the_lesson_slide_prints_every_statement(
        app, facilitator_client):
    with app.app_context():
        for comment in read_session().scalars(select(Comment)):
            moderate(1, comment.id, Moderation.INCLUDED)
    state = facilitator_client.get(f"{BASE}/projector.json").get_json()
    seen = set()
    for _ in range(state["total"]):
        fragment = facilitator_client.get(f"{BASE}/projector/dia").get_data(as_text=True)
        seen.add(re.search(r'data-kind="(\w+)"', fragment).group(1))
        if 'data-kind="lesson"' in fragment and "Urgentie" in fragment:
            for statement in QUESTIONNAIRE.lesson("urgentie").statements:
                assert statement.text in fragment
        if 'data-kind="quadrant"' in fragment:  # the cell's name is marked as ours
            assert "<h2>Eigen duiding: Vooruitgang op losse basis</h2>" in fragment
        _move(facilitator_client, "volgende")
    assert seen == {"join", "overview", "lesson", "groups", "group_table", "quadrant", "texts",
                    "priorities", "actions"}


def test_results_wait_for_three_submitted_on_every_result_slide(app, owner_client,
                                                                open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(2):
            add_respondent(assessment_id, "gemeente", texts={"sterkste-punt": "Een tekst"})
        for comment in read_session().scalars(select(Comment)):
            moderate(assessment_id, comment.id, Moderation.INCLUDED)
    base = f"/begeleider/scans/{assessment_id}"
    total = owner_client.get(f"{base}/projector.json").get_json()["total"]
    for step in range(1, total):
        with app.app_context():
            session.move_projector(assessment_id, session.RevealMove.NEXT, total)
        html = owner_client.get(f"{base}/projector/dia").get_data(as_text=True)
        assert "Een tekst" not in html
        if 'data-kind="actions"' not in html:
            assert "zodra minstens 3 deelnemers" in html, step
            assert "<svg" not in html


def test_groups_below_five_are_hidden_on_the_groups_slide(app, owner_client, open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for group, size in (("gemeente", 6), ("waterschap", 3), ("provincie", 2)):
            for _ in range(size):
                add_respondent(assessment_id, group)
        # Closed, so all eleven count (open, the latest would wait in steps of three).
        management.set_status(assessment_id, Status.CLOSED)
        session.move_projector(assessment_id, session.RevealMove.NEXT, 40)
        session.move_projector(assessment_id, session.RevealMove.NEXT, 40)
        session.move_projector(assessment_id, session.RevealMove.NEXT, 40)
    html = owner_client.get(f"/begeleider/scans/{assessment_id}/projector/dia").get_data(
        as_text=True)
    assert 'data-kind="groups"' in html
    row = re.search(r"<th scope=\"row\">Gemeente</th>(.*?)</tr>", html, re.S).group(1)
    assert "4,0" in row and ">6<" in row
    for label in ("Waterschap", "Provincie"):
        row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", html, re.S).group(1)
        # Both are too small themselves (3 and 2 make 5 together): the true reason.
        assert "minder dan 5" in row and "<svg" not in row
    row = re.search(r"<th scope=\"row\">Anders</th>(.*?)</tr>", html, re.S).group(1)
    assert "geen deelnemers" in row


def test_open_answers_show_included_texts_grouped(app, owner_client, open_assessment):
    assessment_id = int(open_assessment["id"])
    texts = ["Meer geld", "meer  geld ", "Uitgesloten <b>tekst</b>", "Nog te beoordelen"]
    with app.app_context():
        for text in texts:
            add_respondent(assessment_id, "gemeente", texts={"sterkste-punt": text})
        ids = {c.text: c.id for c in read_session().scalars(select(Comment))}
        for text in texts[:2]:
            moderate(assessment_id, ids[text], Moderation.INCLUDED)
        moderate(assessment_id, ids[texts[2]], Moderation.EXCLUDED)
        management.set_status(assessment_id, Status.CLOSED)  # all four count
    base = f"/begeleider/scans/{assessment_id}"
    total = owner_client.get(f"{base}/projector.json").get_json()["total"]
    with app.app_context():
        session.move_projector(assessment_id, session.RevealMove.END, total)
        session.move_projector(assessment_id, session.RevealMove.PREVIOUS, total)
    html = owner_client.get(f"{base}/projector/dia").get_data(as_text=True)
    assert 'data-kind="texts"' in html
    assert "Wat is de grootste kracht" in html
    assert html.count("eer geld") == 1 and "2×" in html
    assert "Uitgesloten" not in html and "Nog te beoordelen" not in html


def test_actions_slide_lists_the_agreed_actions(app, facilitator_client):
    with app.app_context():
        demo = read_session().get(Assessment, 1)
        discussion.add_action(demo, discussion.ActionInput(
            "Een regioavond <voor> raadsleden", "Griffie", "Voor de zomer", "legitimiteit"),
            None)
    _move(facilitator_client, "einde")
    html = facilitator_client.get(f"{BASE}/projector/dia").get_data(as_text=True)
    assert 'data-kind="actions"' in html
    assert "Een regioavond &lt;voor&gt; raadsleden" in html
    assert "Griffie" in html and "Voor de zomer" in html and "Legitimiteit" in html



def test_the_priorities_come_before_the_actions_once_a_vote_was_opened():
    deck = projector.slide_deck(QUESTIONNAIRE, {}, [10], vote_held=True)
    assert kinds(deck)[-2:] == [("priorities", ""), ("actions", "")]
    assert "priorities" not in [kind for kind, _ in kinds(projector.slide_deck(
        QUESTIONNAIRE, {}, [10]))]


def test_the_priorities_slide_shows_the_tally_only_from_three_voters(
        app, owner_client, open_assessment):
    assessment_id = int(open_assessment["id"])
    base = f"/begeleider/scans/{assessment_id}"
    with app.app_context():
        priorities.open_vote(assessment_id, 2, None)
        for voter in ("a", "b"):
            priorities.cast_vote(assessment_id, priorities.voter_hash("s", assessment_id, voter),
                                 ["leiderschap", "urgentie"])

    def priorities_slide() -> str:
        total = owner_client.get(f"{base}/projector.json").get_json()["total"]
        with app.app_context():
            session.move_projector(assessment_id, session.RevealMove.END, total)
            session.move_projector(assessment_id, session.RevealMove.PREVIOUS, total)
        return owner_client.get(f"{base}/projector/dia").get_data(as_text=True)

    html = priorities_slide()
    assert 'data-kind="priorities"' in html
    assert "2 mensen hebben gestemd" in html and "De stemming is open" in html
    assert "De uitslag verschijnt als de stemming sluit" in html
    assert "Regionaal leiderschap" not in html and "<table" not in html

    with app.app_context():
        priorities.cast_vote(assessment_id, priorities.voter_hash("s", assessment_id, "c"),
                             ["legitimiteit"])
        priorities.close_vote(assessment_id, None)
    html = priorities_slide()
    rows = re.findall(r'<tr( class="priority-top")?>\s*<th scope="row">([^<]*)', html)
    assert [(bool(top), title.strip()) for top, title in rows] == [
        (True, "1. Urgentie"), (True, "3. Regionaal leiderschap"),
        (False, "10. Legitimiteit en organisatie")]
    assert "3 mensen stemden" in html and "De stemming is open" not in html


# -- the presenter view ------------------------------------------------------------------


def test_the_presenter_shows_now_next_counts_and_saves_notes_of_the_lesson(
        app, facilitator_client):
    with app.app_context():
        demo = read_session().get(Assessment, 1)
        discussion.save_lesson_note(demo, "urgentie", "oud", "Onze conclusie", None)
    for _ in range(2):
        _move(facilitator_client, "volgende")
    page = facilitator_client.get(f"{BASE}/presentator")
    html = page.get_data(as_text=True)
    assert "1. Urgentie – Stellingen" in html and "1. Urgentie – Wie ziet het anders?" in html
    assert "begonnen" in html and "verzonden" in html
    assert "Aantekeningen bij Urgentie" in html and ">oud</textarea>" in html
    response = facilitator_client.post(f"{BASE}/presentator/aantekeningen", data={
        "csrf_token": csrf_token(page), "les": "urgentie", "aantekeningen": "  Nieuw  "})
    assert response.status_code == 302
    with app.app_context():
        note = read_session().scalar(select(LessonNote).where(LessonNote.lesson_id == "urgentie"))
        assert (note.notes, note.conclusion) == ("Nieuw", "Onze conclusie")


def test_notes_that_are_too_long_are_shown_again_not_lost(app, facilitator_client):
    _move(facilitator_client, "volgende")
    _move(facilitator_client, "volgende")
    page = facilitator_client.get(f"{BASE}/presentator")
    long_text = "x" * (discussion.MAX_NOTES_LENGTH + 1)
    response = facilitator_client.post(f"{BASE}/presentator/aantekeningen", data={
        "csrf_token": csrf_token(page), "les": "urgentie", "aantekeningen": long_text})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "niet opgeslagen" in html and long_text in html


@pytest.fixture
def owner_client(app, open_assessment):
    browser = app.test_client()
    login(browser, OWNER_EMAIL, OWNER_PASSWORD)
    return browser


def test_a_stranger_cannot_see_or_move_the_projector(app, client, demo):
    with app.app_context():
        management.create_facilitator("ander@example.nl", "ander-wachtwoord-123")
    login(client, "ander@example.nl", "ander-wachtwoord-123")
    for path in ("/projector", "/projector.json", "/projector/dia", "/presentator"):
        assert client.get(BASE + path).status_code == 404, path
    token = csrf_token(client.get("/begeleider/scans/nieuw"))
    assert client.post(f"{BASE}/projector/stap", data={"csrf_token": token,
                                                        "stap": "volgende"}).status_code == 404
    assert client.post(f"{BASE}/presentator/aantekeningen", data={
        "csrf_token": token, "les": "urgentie", "aantekeningen": "x"}).status_code == 404
    assert _stored(app).reveal_step == 0
