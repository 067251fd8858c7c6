"""The demo: a facilitator, a closed and filled-in scan of Regio Zwolle, and a try-out scan.

The filled-in scan is closed, so its results, report and projector view stay as seeded
whoever opens the demo; visitors answer in the open try-out scan beside it, which starts
empty and changes nothing in the demo's results.

The synthetic answers are drawn from a fixed seed and follow a designed profile: strong
lessons (urgency, culture), weak ones (investment, national programmes), one clearly
divided lesson (leadership: bestuurders and civil servants see it differently) and one
information gap (legitimacy: many answer "weet niet"). Seeding twice changes nothing.
"""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select

from assessment import (
    discussion,
    management,
    participation,
    priorities,
    programmes,
    questionnaire_files,
)
from assessment.db import read_session, write_transaction
from assessment.exceptions import DemoUnavailable
from assessment.models import (
    Answer,
    Assessment,
    Facilitator,
    Moderation,
    Respondent,
    Status,
    utcnow,
)
from questions.schema import ContextBlock, Lesson, Questionnaire, Statement

DEMO_EMAIL = "demo@regiospiegel.nl"
DEMO_PASSWORD = "demo-regiospiegel"  # noqa: S105 - a public demo account, override by env
DEMO_REGION = "Regio Zwolle"
DEMO_QUESTIONNAIRE = ("tien-lessen", "nl")
#: The filled-in demo scan: closed, so nobody can change its results.
DEMO_TITLE = "Regio Zwolle – casus Dalfsen"
DEMO_JOIN_CODE = "ZWDF26"
#: The open, empty scan where visitors try answering (the code the demo always printed).
TRYOUT_TITLE = "Proefscan – probeer het zelf"
TRYOUT_JOIN_CODE = "DMZW26"

#: How many the demo's facilitator invited (the groups below, 28 people, took part).
DEMO_INVITED = 35
#: Who asked for the demo scan, as the report's cover names it.
DEMO_COMMISSIONER = "Stuurgroep Regio Zwolle"

#: How many demo respondents of each organisation type and role.
DEMO_GROUPS = (
    ("gemeente", "bestuurder", 7), ("gemeente", "ambtenaar", 7), ("waterschap", "bestuurder", 2),
    ("waterschap", "ambtenaar", 3), ("provincie", "ambtenaar", 3), ("provincie", "bestuurder", 1),
    ("partner", "partner", 4), ("anders", "volksvertegenwoordiger", 1),
)

#: The typical agreement per lesson or context block (on the 1–5 scale, before reverse
#: wording); one the questionnaire has beyond these gets :data:`TYPICAL_LEVEL`.
LESSON_LEVEL = {
    "urgentie": 4.3, "visie": 3.6, "leiderschap": 3.2, "verhaal": 3.4, "focus": 3.1,
    "investeren": 2.5, "cultuur": 4.1, "partners": 3.5, "rijk": 2.4, "legitimiteit": 2.9,
    "brede-welvaart": 3.6, "investering": 2.6,
}
#: The level of a lesson the demo has no level for: the mean of those it has, so a lesson
#: added to the questionnaire lands among the others, neither strong nor weak.
TYPICAL_LEVEL = round(sum(LESSON_LEVEL.values()) / len(LESSON_LEVEL), 1)
DIVIDED_LESSON = "leiderschap"
GAP_LESSON = "legitimiteit"

#: Free texts some demo respondents write, per lesson or open question.
DEMO_TEXTS = {
    "sterkste-punt": (
        "De korte lijnen tussen de wethouders in de regio.",
        "We kennen elkaar en gunnen elkaar iets.",
        "Samen optrekken richting Den Haag bij de woningbouw.",
        "Het netwerk met het bedrijfsleven en het onderwijs is sterk.",
        "De gedeelde zorg over water en landbouw brengt ons bij elkaar.",
    ),
    "grootste-obstakel": (
        "Te veel overleggen per programma en weinig samenhang.",
        "Er is geen vast budget voor het regiobureau.",
        "Raadsleden voelen zich niet meegenomen.",
        "Kleine gemeenten kunnen het tempo niet bijhouden.",
        "De regio ligt in vier provincies met elk een eigen koers.",
    ),
    "starten-stoppen": (
        "Start met één regionale agenda voor alle nationale programma's.",
        "Stop met losse projectaanvragen zonder gezamenlijke keuze.",
        "Begin met een jaarlijkse regioavond voor raadsleden.",
        "Maak afspraken over meerjarige financiering van de samenwerking.",
    ),
    "leiderschap": (
        "Bestuurders zeggen veel toe, maar ambtelijk merken we weinig van keuzes.",
        "Sinds het vertrek van de vorige voorzitter is er geen duidelijke kartrekker.",
    ),
    "legitimiteit": (
        "Ik weet niet hoe de raden over de regio worden geïnformeerd.",
        "Als raadslid hoor ik pas achteraf wat er regionaal is besloten.",
    ),
    "rijk": ("Elk programma heeft een eigen loket; dat kost veel capaciteit.",),
}


@dataclass(frozen=True)
class DemoResult:
    """What seeding did, and how to get in."""

    created: bool
    email: str
    password: str
    respondents: int
    join_code: str  # of the try-out scan: the one visitors answer

    def describe(self, join_link: str = "") -> str:
        """Lines for the terminal; ``join_link`` is the try-out scan's participant link."""
        what = "Demo created" if self.created else "Demo already present (nothing changed)"
        lines = [f"{what}: {self.respondents} respondents in '{DEMO_TITLE}' (closed).",
                 f"  facilitator login: {self.email} / {self.password}",
                 f"  try-out scan '{TRYOUT_TITLE}', join code: {self.join_code}"]
        if join_link:
            lines.append(f"  participant link (try-out scan): {join_link}")
        lines.append(f"  Answering in the try-out scan does not change the results of "
                     f"'{DEMO_TITLE}'.")
        lines.append(f"  Programme '{DEMO_PROGRAMME}': the other regions' answers are made up.")
        return "\n".join(lines)


def demo_password() -> str:
    """The demo facilitator's password: REGIOSPIEGEL_DEMO_PASSWORD when set."""
    return os.environ.get("REGIOSPIEGEL_DEMO_PASSWORD") or DEMO_PASSWORD


def seed(*, session_held: bool = True, programme: bool = True) -> DemoResult:
    """Create what is missing of the demo: its facilitator, the closed scan, the try-out scan.

    Idempotent: what exists is left as it is, except that the filled-in scan is closed if
    someone opened it (a database seeded before the try-out scan existed had it open).
    With ``session_held`` (the default) a new filled-in scan also gets what its session left:
    moderated texts, notes and conclusions, and actions (a test seam: tests of those pages
    start from the scan as it was before the session). With ``programme`` (the default) the
    demo's programme is seeded too (:func:`seed_programme`).
    """
    session = read_session()
    password = demo_password()
    facilitator = session.scalar(select(Facilitator).where(Facilitator.email == DEMO_EMAIL))
    facilitator_id = facilitator.id if facilitator else management.create_facilitator(
        DEMO_EMAIL, password, name="Demo procesbegeleider")
    questionnaire = questionnaire_files.available().get(DEMO_QUESTIONNAIRE)
    demo = _demo_scan(facilitator_id, DEMO_TITLE)
    tryout = _demo_scan(facilitator_id, TRYOUT_TITLE)
    created = demo is None or tryout is None
    if created and questionnaire is None:
        raise DemoUnavailable(
            f"the demo needs the questionnaire '{DEMO_QUESTIONNAIRE[0]}' in language "
            f"'{DEMO_QUESTIONNAIRE[1]}', which QUESTIONS_DIR does not have")
    if demo is None:
        assert questionnaire is not None
        # The session is held on the day the demo is seeded, when it is held at all.
        demo_id = _create(facilitator_id, DEMO_TITLE, DEMO_JOIN_CODE, questionnaire,
                          management.Preparation(
                              DEMO_REGION, DEMO_TITLE, invited_count=DEMO_INVITED,
                              commissioner=DEMO_COMMISSIONER,
                              session_date=date.today() if session_held else None))
        management.set_status(demo_id, Status.OPEN)
        _answer_as_demo_respondents(demo_id, questionnaire)
        _hold_demo_vote(demo_id)
        # Closed before the session's work, as in a real session: the texts to moderate are
        # then all of them (while answering is open the most recent wait, anonymity.py).
        management.set_status(demo_id, Status.CLOSED)
        if session_held:
            _record_demo_session(demo_id)
    else:
        demo_id = demo.id
        if demo.status != Status.CLOSED:
            management.set_status(demo_id, Status.CLOSED)
    if tryout is None:
        assert questionnaire is not None
        tryout_id = _create(facilitator_id, TRYOUT_TITLE, TRYOUT_JOIN_CODE, questionnaire)
        management.set_status(tryout_id, Status.OPEN)
    else:
        tryout_id = tryout.id
    if programme and questionnaire is not None:
        seed_programme(demo_id, facilitator_id, questionnaire)
    count = len(read_session().scalars(select(Respondent.id).where(
        Respondent.assessment_id == demo_id)).all())
    tryout_code = read_session().scalar(
        select(Assessment.join_code).where(Assessment.id == tryout_id))
    return DemoResult(created, DEMO_EMAIL, password, count, str(tryout_code))


def _demo_scan(facilitator_id: int, title: str) -> Assessment | None:
    """The demo facilitator's scan with this title, if seeded before."""
    return read_session().scalar(
        select(Assessment).where(Assessment.owner_id == facilitator_id,
                                 Assessment.title == title).order_by(Assessment.id).limit(1))


def _create(facilitator_id: int, title: str, join_code: str,
            questionnaire: Questionnaire,
            preparation: management.Preparation | None = None) -> int:
    """A demo scan with ``join_code``, or a new code when that one is taken already."""
    taken = read_session().scalar(select(Assessment.id).where(
        Assessment.join_code == join_code)) is not None
    return management.create_assessment(
        facilitator_id, DEMO_REGION, title, questionnaire,
        join_code=None if taken else join_code, preparation=preparation,
        translations=questionnaire_files.translations_of(questionnaire))


def _answer_as_demo_respondents(assessment_id: int, questionnaire: Questionnaire) -> int:
    rng = random.Random(2026)  # noqa: S311 - synthetic data, not security
    count = 0
    for org_type, role, size in DEMO_GROUPS:
        for _ in range(size):
            token = participation.start(assessment_id)
            respondent = participation.find_respondent(token)
            assert respondent is not None
            answers = {
                s.id: _demo_answer(rng, group_id, s.reverse, role)
                for group_id, statements in _groups(questionnaire)
                for s in statements
            }
            texts = {topic: rng.choice(options) for topic, options in DEMO_TEXTS.items()
                     if rng.random() < 0.3}
            participation.save_page(respondent.id, "profiel", participation.PageAnswers(
                answers=answers, texts=texts,
                profile={"organisatietype": org_type, "rol": role}))
            participation.submit(respondent.id)
            count += 1
    return count


#: The demo's vote on priorities: how many voted, and how likely each lesson was chosen.
DEMO_VOTERS = 20
DEMO_VOTE_WEIGHTS = {"investeren": 9, "rijk": 8, "legitimiteit": 7, "leiderschap": 5,
                     "focus": 3, "verhaal": 2, "visie": 2, "partners": 1}


def _hold_demo_vote(assessment_id: int) -> None:
    """A closed vote on priorities by 20 of the group: the weak lessons come out on top."""
    rng = random.Random(2027)  # noqa: S311 - synthetic data, not security
    key = secrets.token_bytes(32)  # a throwaway key: these votes link to nothing at all
    priorities.open_vote(assessment_id, priorities.DEFAULT_MAX_CHOICES, None)
    lessons, weights = list(DEMO_VOTE_WEIGHTS), list(DEMO_VOTE_WEIGHTS.values())
    for number in range(DEMO_VOTERS):
        chosen: set[str] = set()
        wanted = rng.randint(2, priorities.DEFAULT_MAX_CHOICES)
        while len(chosen) < wanted:
            chosen.add(rng.choices(lessons, weights)[0])
        priorities.cast_vote(assessment_id,
                             priorities.voter_hash(key, assessment_id, f"demo:{number}"),
                             sorted(chosen))
    priorities.close_vote(assessment_id, None)


#: What the demo group said and concluded about the lessons it discussed.
DEMO_NOTES = {
    "leiderschap": discussion.LessonNoteInput(
        "Bestuurders zien hun eigen rol positiever dan ambtenaren en partners. Ambtelijk mist "
        "men heldere keuzes na de toezeggingen in het portefeuillehoudersoverleg.",
        "Het verschil in beeld is zelf de uitkomst: bestuur en ambtenaren bespreken samen wat "
        "ze van regionaal leiderschap verwachten."),
    "legitimiteit": discussion.LessonNoteInput(
        "Veel deelnemers weten niet hoe de raden worden meegenomen. Raadsleden horen pas "
        "achteraf wat er regionaal is besloten.",
        "Eerst informatie delen: de griffiers brengen in beeld hoe de raden nu worden "
        "geïnformeerd."),
    "investeren": discussion.LessonNoteInput(
        "Het regiobureau heeft geen vast budget; elk jaar begint de discussie opnieuw.",
        "Een voorstel voor meerjarige financiering van de samenwerking."),
    "rijk": discussion.LessonNoteInput(
        "Elk nationaal programma heeft een eigen loket en eigen overleggen.",
        "Eén regionale agenda als ingang voor alle nationale programma's."),
}
#: The actions the demo group agreed on.
DEMO_ACTIONS = (
    discussion.ActionInput("Gesprek tussen portefeuillehouders en ambtelijk trekkers over "
                           "wat regionaal leiderschap vraagt", "Voorzitter regio",
                           "Voor de zomer", "leiderschap"),
    discussion.ActionInput("Overzicht van hoe de raden nu over de regio worden geïnformeerd, "
                           "met een voorstel voor een jaarlijkse regioavond", "Griffiers",
                           "Binnen drie maanden", "legitimiteit"),
    discussion.ActionInput("Voorstel voor meerjarige financiering van het regiobureau",
                           "Regiosecretaris", "Begrotingsronde", "investeren"),
)


def _record_demo_session(assessment_id: int) -> None:
    """What a finished session leaves: texts moderated, notes and conclusions, actions.

    Texts that may identify someone are excluded, the rest included, as a careful
    facilitator would; so the projector and the report show everything they can.
    """
    assessment = read_session().get(Assessment, assessment_id)
    assert assessment is not None
    discussion.exclude_flagged(assessment)
    overview = discussion.moderation_overview(assessment)
    pending = [text.comment_id for topic in overview.topics for text in topic.texts
               if text.moderation is Moderation.PENDING]
    if pending:
        discussion.set_moderation_of(assessment, pending, Moderation.INCLUDED, None)
    discussion.save_lesson_notes(assessment, DEMO_NOTES, None)
    for action in DEMO_ACTIONS:
        discussion.add_action(assessment, action, None)


def _groups(questionnaire: Questionnaire) -> list[tuple[str, tuple[Statement, ...]]]:
    groups: tuple[Lesson | ContextBlock, ...] = (*questionnaire.lessons,
                                                 *questionnaire.context_blocks)
    return [(group.id, group.statements) for group in groups]


def _demo_answer(rng: random.Random, group_id: str, reverse: bool, role: str,
                 shift: float = 0.0) -> str:
    if group_id == GAP_LESSON and rng.random() < 0.4:
        return "weet_niet"
    if group_id == "rijk" and rng.random() < 0.12:
        return "weet_niet"
    level = LESSON_LEVEL.get(group_id, TYPICAL_LEVEL)
    if group_id == DIVIDED_LESSON:
        # Bestuurders are positive about their own leadership; others much less so.
        level = 4.4 if role == "bestuurder" else 2.0
    value = round(rng.gauss(level + shift, 0.7))
    value = min(5, max(1, value))
    return str(6 - value if reverse else value)


# -- the demo programme: regions side by side ----------------------------------------------

DEMO_PROGRAMME = "Regio's samen (demo)"
#: The account that owns the other regions' made-up scans (nobody logs in with it).
DEMO_REGIONS_EMAIL = "demo-regios@regiospiegel.nl"
#: The other regions of the demo programme: name, whether it chose to be named, how many
#: answered, how much better or worse than Dalfsen's group it answers, and, for some, a
#: previous round's shift (the arrows in the landscape). Made up, as the landscape says.
DEMO_PEERS = (
    ("Cleantech Regio / Stedendriehoek", True, 14, 0.4, -0.3),
    ("Regio Twente", False, 12, 0.2, None),
    ("Regio Achterhoek", False, 11, -0.2, -0.5),
    ("Regio Noord-Veluwe", True, 13, -0.4, None),
    ("Regio Drenthe", False, 10, 0.1, None),
    ("Regio Foodvalley", False, 12, 0.5, 0.2),
    ("Regio Groningen-Assen", False, 15, -0.1, None),
)
#: A region below the landscape's 10 respondents: it takes part, but is left out.
DEMO_SMALL_PEER = ("Regio Hart van Brabant", False, 6, 0.0, None)


def seed_programme(demo_id: int, facilitator_id: int, questionnaire: Questionnaire) -> None:
    """The demo programme: the Dalfsen scan (anonymous) beside seven made-up regions.

    The demo facilitator owns the programme, so `make run` shows its landscape after one
    login. The other regions' answers are drawn like Dalfsen's, shifted per region; some
    have a previous round a year earlier. Does nothing when the programme exists.
    """
    if programmes.programme_by_name(DEMO_PROGRAMME) is not None:
        return
    programme_id = programmes.create_programme(DEMO_PROGRAMME, questionnaire)
    facilitator = read_session().get(Facilitator, facilitator_id)
    assert facilitator is not None
    programmes.add_owner(programme_id, facilitator.email)
    owner = read_session().scalar(select(Facilitator.id).where(
        Facilitator.email == DEMO_REGIONS_EMAIL)) or management.create_facilitator(
        DEMO_REGIONS_EMAIL, secrets.token_urlsafe(24), name="Demo: andere regio's")
    for number, (region, named, size, shift, earlier) in enumerate(
            (*DEMO_PEERS, DEMO_SMALL_PEER)):
        previous_id = None
        if earlier is not None:
            previous_id = peer_scan(owner, region, questionnaire, size, earlier,
                                    seed=100 + number, title=f"{region} – ronde 1")
            programmes.take_part(previous_id, programme_id, named, None)
        scan_id = peer_scan(owner, region, questionnaire, size, shift, seed=200 + number,
                            title=f"{region} – ronde 2" if earlier is not None else region,
                            previous_id=previous_id)
        programmes.take_part(scan_id, programme_id, named, None)
    programmes.take_part(demo_id, programme_id, False, None)


def peer_scan(owner_id: int, region: str, questionnaire: Questionnaire, respondents: int,
              shift: float, *, seed: int, title: str = "", close: bool = True,
              previous_id: int | None = None) -> int:
    """A made-up scan of another region: ``respondents`` answers drawn as Dalfsen's, each
    lesson's level moved by ``shift``; closed unless ``close`` is False. Its id."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    scan_id = management.create_assessment(
        owner_id, region, title or region, questionnaire,
        preparation=management.Preparation(region, title or region, previous_id=previous_id))
    management.set_status(scan_id, Status.OPEN)
    # In one transaction, not through the participant's pages: the demo seeds some 150
    # made-up respondents, and a commit each would make `make run` (and the tests) wait. The
    # answers (some 7,000) go in as rows, without an ORM object each.
    now = utcnow()
    with write_transaction() as session:
        made = []
        for index in range(respondents):
            org_type, role, _size = DEMO_GROUPS[index % len(DEMO_GROUPS)]
            made.append((role, Respondent(
                assessment_id=scan_id, token_hash=participation.hash_token(
                    secrets.token_urlsafe(32)),
                profile={"organisatietype": org_type, "rol": role}, last_page="bedankt",
                created_at=now, updated_at=now, submitted_at=now)))
        session.add_all([respondent for _role, respondent in made])
        session.flush()
        session.execute(insert(Answer), [
            {"respondent_id": respondent.id, "statement_id": s.id, "updated_at": now,
             "value": _demo_answer(rng, group_id, s.reverse, role, shift)}
            for role, respondent in made
            for group_id, statements in _groups(questionnaire) for s in statements])
    if close:
        management.set_status(scan_id, Status.CLOSED)
    return scan_id
