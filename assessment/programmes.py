"""Programmes (programma's): their owners, scans taking part, and what they may see.

Every write about programmes goes through here, one transaction per action; a scan's
choice to take part (and to be named) and its withdrawal are audited. The figures come
from :mod:`assessment.landscape`, fed with each scan's summary from the one summary
function the product uses everywhere (:func:`assessment.results.assessment_summary`).

Who sees what
    - A programme owner (programma-eigenaar) sees the landscape of the programmes they
      own: aggregated lesson figures of closed scans with enough respondents, nothing of a
      scan's own pages unless they are also its facilitator.
    - A scan's facilitator chooses whether it takes part (off by default) and whether it
      may be named (anonymous by default); withdrawing takes it out of every landscape and
      every other region's peer comparison at once.
    - A scan that takes part sees its peers (:func:`peers_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from assessment import content, landscape, management
from assessment.aggregation import Summary
from assessment.db import read_session, write_transaction
from assessment.exceptions import ProgrammeError, UnknownAssessment
from assessment.landscape import Landscape, PeerComparison, RegionRound
from assessment.models import Assessment, Facilitator, Programme, ProgrammeOwner, Status
from assessment.results import assessment_summary
from questions.schema import Questionnaire


@dataclass(frozen=True)
class Thresholds:
    """How many respondents a scan needs to count, and how many peers a comparison needs."""

    min_respondents: int = landscape.MIN_RESPONDENTS
    min_peers: int = landscape.MIN_PEERS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """The thresholds an app is configured with (``LANDSCAPE_MIN_RESPONDENTS``,
        ``PEERS_MIN_REGIONS``)."""
        return cls(int(config.get("LANDSCAPE_MIN_RESPONDENTS", landscape.MIN_RESPONDENTS)),
                   int(config.get("PEERS_MIN_REGIONS", landscape.MIN_PEERS)))


# -- programmes and their owners ----------------------------------------------------------


def create_programme(name: str, questionnaire: Questionnaire,
                     actor: Facilitator | None = None) -> int:
    """A programme for scans on ``questionnaire`` (its id and lesson ids); its id."""
    name = " ".join(name.split())
    if not name:
        raise ProgrammeError("a programme needs a name")
    try:
        with write_transaction() as session:
            programme = Programme(name=name[:200], questionnaire_id=questionnaire.id,
                                  lesson_ids=[lesson.id for lesson in questionnaire.lessons])
            session.add(programme)
            session.flush()
            management.audit(session, "programme_created", actor, None,
                             f"{programme.name} ({questionnaire.id})")
            return programme.id
    except IntegrityError as exc:
        raise ProgrammeError(f"a programme named '{name}' exists already") from exc


def all_programmes() -> list[Programme]:
    """Every programme, by name."""
    return list(read_session().scalars(select(Programme).order_by(Programme.name)))


def programme_by_name(name: str) -> Programme | None:
    """The programme with this name (spaces as typed are joined), or None."""
    return read_session().scalar(
        select(Programme).where(Programme.name == " ".join(name.split())))


def add_owner(programme_id: int, email: str, actor: Facilitator | None = None) -> Facilitator:
    """Make the account with this e-mail address an owner of the programme."""
    email = management.normalise_email(email)
    with write_transaction() as session:
        programme = session.get(Programme, programme_id)
        account = session.scalar(select(Facilitator).where(Facilitator.email == email))
        if programme is None or account is None:
            raise ProgrammeError(f"no account with e-mail {email}")
        if session.get(ProgrammeOwner, (programme_id, account.id)) is None:
            session.add(ProgrammeOwner(programme_id=programme_id, facilitator_id=account.id))
            management.audit(session, "programme_owner_added", actor, None,
                             f"{programme.name}: {account.email}")
        return account


def remove_owner(programme_id: int, facilitator_id: int,
                 actor: Facilitator | None = None) -> None:
    """Take a programme owner's access to the programme away."""
    with write_transaction() as session:
        found = session.get(ProgrammeOwner, (programme_id, facilitator_id))
        if found is None:
            return
        programme = session.get(Programme, programme_id)
        account = session.get(Facilitator, facilitator_id)
        session.execute(delete(ProgrammeOwner).where(
            ProgrammeOwner.programme_id == programme_id,
            ProgrammeOwner.facilitator_id == facilitator_id))
        management.audit(session, "programme_owner_removed", actor, None,
                         f"{programme.name if programme else programme_id}: "
                         f"{account.email if account else facilitator_id}")


def owners(programme_id: int) -> list[Facilitator]:
    """The owners of a programme, by e-mail address."""
    return list(read_session().scalars(
        select(Facilitator).join(ProgrammeOwner, ProgrammeOwner.facilitator_id == Facilitator.id)
        .where(ProgrammeOwner.programme_id == programme_id).order_by(Facilitator.email)))


def owned_programmes(facilitator_id: int) -> list[Programme]:
    """The programmes an account owns, by name."""
    return list(read_session().scalars(
        select(Programme).join(ProgrammeOwner, ProgrammeOwner.programme_id == Programme.id)
        .where(ProgrammeOwner.facilitator_id == facilitator_id).order_by(Programme.name)))


def is_owner(facilitator_id: int, programme_id: int) -> bool:
    """Whether the account owns the programme."""
    return read_session().get(ProgrammeOwner, (programme_id, facilitator_id)) is not None


# -- a scan taking part -------------------------------------------------------------------


def fits(programme: Programme, questionnaire: Questionnaire) -> bool:
    """Whether a scan on ``questionnaire`` may take part: same id, the same lessons."""
    return (questionnaire.id == programme.questionnaire_id
            and [lesson.id for lesson in questionnaire.lessons] == list(programme.lesson_ids))


def programmes_for(assessment: Assessment) -> list[Programme]:
    """The programmes this scan may take part in (its questionnaire fits), by name."""
    questionnaire = content.for_assessment(assessment)
    return [programme for programme in read_session().scalars(
                select(Programme).where(Programme.questionnaire_id == questionnaire.id)
                .order_by(Programme.name))
            if fits(programme, questionnaire)]


def take_part(assessment_id: int, programme_id: int, named: bool,
              actor: Facilitator | None) -> None:
    """Let the scan take part in the programme (named or anonymous); audited.

    Also how a scan that takes part changes programme or its naming: one choice per scan.
    """
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        programme = session.get(Programme, programme_id)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        if programme is None or not fits(programme, content.for_assessment(assessment)):
            raise ProgrammeError("this scan's questionnaire does not fit that programme")
        if (assessment.programme_id, assessment.named_in_programme) == (programme.id, named):
            return
        assessment.programme_id = programme.id
        assessment.named_in_programme = named
        management.audit(session, "programme_joined", actor, assessment,
                         f"{programme.name}; {'named' if named else 'anonymous'}")


def withdraw(assessment_id: int, actor: Facilitator | None) -> None:
    """Take the scan out of its programme: it leaves every landscape at once; audited."""
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        if assessment.programme_id is None:
            return
        programme = session.get(Programme, assessment.programme_id)
        assessment.programme_id = None
        assessment.named_in_programme = False
        management.audit(session, "programme_withdrawn", actor, assessment,
                         programme.name if programme else "")


def taking_part_count(programme_id: int) -> int:
    """How many scans take part in a programme, closed or not."""
    return read_session().scalar(
        select(func.count()).select_from(Assessment)
        .where(Assessment.programme_id == programme_id)) or 0


# -- what a programme shows ---------------------------------------------------------------


def programme_rounds(programme_id: int, *, except_region: str | None = None
                     ) -> list[RegionRound]:
    """The closed rounds of the scans taking part in a programme, each with its summary.

    Scans that are not closed are not even summarised: a summary becomes part of a
    landscape only once its scan is closed. Nor are the rounds of ``except_region`` (matched
    as :func:`landscape.region_key` matches rounds): a region is never its own peer, and a
    summary costs a pass over every raw answer of its scan.
    """
    scans = read_session().scalars(
        select(Assessment).options(defer(Assessment.content_snapshot))
        .where(Assessment.programme_id == programme_id,
               Assessment.status == Status.CLOSED.value)
        .order_by(Assessment.id))
    left_out = None if except_region is None else landscape.region_key(except_region)
    return [RegionRound(scan.id, scan.region, scan.named_in_programme, True, scan.closed_at,
                        assessment_summary(scan)) for scan in scans
            if landscape.region_key(scan.region) != left_out]


def programme_landscape(programme: Programme, thresholds: Thresholds) -> Landscape:
    """The landscape of a programme (:func:`assessment.landscape.landscape`)."""
    return landscape.landscape(programme_rounds(programme.id), programme.lesson_ids,
                               thresholds.min_respondents)


def peers_of(assessment: Assessment, thresholds: Thresholds, own: Summary | None = None
             ) -> PeerComparison | None:
    """The scan beside the other regions of its programme; None when it takes part in none.

    ``own`` is the scan's summary when the caller has it already.
    """
    if assessment.programme_id is None:
        return None
    programme = read_session().get(Programme, assessment.programme_id)
    if programme is None:
        return None
    return landscape.peer_comparison(
        assessment.region, own if own is not None else assessment_summary(assessment),
        programme_rounds(programme.id, except_region=assessment.region),
        programme.lesson_ids, min_respondents=thresholds.min_respondents,
        min_peers=thresholds.min_peers)
