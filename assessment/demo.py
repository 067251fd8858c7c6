"""The demo: a facilitator and a filled-in scan of Regio Zwolle, so a newcomer sees results.

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

from sqlalchemy import select

from assessment import content, management, participation, priorities
from assessment.db import read_session
from assessment.exceptions import RegiospiegelError
from assessment.models import Assessment, Facilitator, Respondent, Status
from questions.schema import ContextBlock, Lesson, Questionnaire, Statement

DEMO_EMAIL = "demo@regiospiegel.nl"
DEMO_PASSWORD = "demo-regiospiegel"  # noqa: S105 - a public demo account, override by env
DEMO_JOIN_CODE = "DMZW26"
DEMO_REGION = "Regio Zwolle"
DEMO_TITLE = "Regio Zwolle – casus Dalfsen"
DEMO_QUESTIONNAIRE = ("tien-lessen", "nl")

#: How many demo respondents of each organisation type and role.
DEMO_GROUPS = (
    ("gemeente", "bestuurder", 7), ("gemeente", "ambtenaar", 7), ("waterschap", "bestuurder", 2),
    ("waterschap", "ambtenaar", 3), ("provincie", "ambtenaar", 3), ("provincie", "bestuurder", 1),
    ("partner", "partner", 4), ("anders", "volksvertegenwoordiger", 1),
)

#: The typical agreement per lesson (on the 1–5 scale, before reverse wording).
LESSON_LEVEL = {
    "urgentie": 4.3, "visie": 3.6, "leiderschap": 3.2, "verhaal": 3.4, "focus": 3.1,
    "investeren": 2.5, "cultuur": 4.1, "partners": 3.5, "rijk": 2.4, "legitimiteit": 2.9,
    "brede-welvaart": 3.6, "investering": 2.6,
}
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
    join_code: str
    respondents: int

    def describe(self) -> str:
        """Lines for the terminal."""
        what = "Demo created" if self.created else "Demo already present (nothing changed)"
        return (f"{what}: {self.respondents} respondents in '{DEMO_TITLE}'.\n"
                f"  facilitator login: {self.email} / {self.password}\n"
                f"  join code: {self.join_code}")


def demo_password() -> str:
    """The demo facilitator's password: REGIOSPIEGEL_DEMO_PASSWORD when set."""
    return os.environ.get("REGIOSPIEGEL_DEMO_PASSWORD") or DEMO_PASSWORD


def seed() -> DemoResult:
    """Create the demo facilitator and assessment if they are not there yet."""
    session = read_session()
    password = demo_password()
    facilitator = session.scalar(select(Facilitator).where(Facilitator.email == DEMO_EMAIL))
    facilitator_id = facilitator.id if facilitator else management.create_facilitator(
        DEMO_EMAIL, password, name="Demo procesbegeleider")
    existing = session.scalar(select(Assessment).where(Assessment.join_code == DEMO_JOIN_CODE))
    if existing is not None:
        count = len(session.scalars(select(Respondent.id).where(
            Respondent.assessment_id == existing.id)).all())
        return DemoResult(False, DEMO_EMAIL, password, DEMO_JOIN_CODE, count)
    questionnaire = content.available().get(DEMO_QUESTIONNAIRE)
    if questionnaire is None:
        raise RegiospiegelError(
            f"the demo needs the questionnaire '{DEMO_QUESTIONNAIRE[0]}' in language "
            f"'{DEMO_QUESTIONNAIRE[1]}', which QUESTIONS_DIR does not have")
    assessment_id = management.create_assessment(
        facilitator_id, DEMO_REGION, DEMO_TITLE, questionnaire, join_code=DEMO_JOIN_CODE,
        translations=content.translations_of(questionnaire))
    management.set_status(assessment_id, Status.OPEN)
    count = _answer_as_demo_respondents(assessment_id, questionnaire)
    _hold_demo_vote(assessment_id)
    return DemoResult(True, DEMO_EMAIL, password, DEMO_JOIN_CODE, count)


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


def _groups(questionnaire: Questionnaire) -> list[tuple[str, tuple[Statement, ...]]]:
    groups: tuple[Lesson | ContextBlock, ...] = (*questionnaire.lessons,
                                                 *questionnaire.context_blocks)
    return [(group.id, group.statements) for group in groups]


def _demo_answer(rng: random.Random, group_id: str, reverse: bool, role: str) -> str:
    if group_id == GAP_LESSON and rng.random() < 0.4:
        return "weet_niet"
    if group_id == "rijk" and rng.random() < 0.12:
        return "weet_niet"
    level = LESSON_LEVEL[group_id]
    if group_id == DIVIDED_LESSON:
        # Bestuurders are positive about their own leadership; others much less so.
        level = 4.4 if role == "bestuurder" else 2.0
    value = round(rng.gauss(level, 0.7))
    value = min(5, max(1, value))
    return str(6 - value if reverse else value)
