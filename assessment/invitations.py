"""The two places where invitations meet respondents: sending in, and forgetting addresses.

Both run inside the caller's transaction. See :class:`assessment.models.Invitation` for why
an invitation and a respondent are never linked once the answers are sent in.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.models import Delivery, Invitation, Respondent

#: Why a message that waited was not sent: its address was deleted first.
ADDRESS_GONE = "niet verstuurd: het adres is verwijderd"


def mark_sent_in(session: Session, respondent_id: int, link: str) -> bool:
    """The invitation of a respondent who just sent in shows "verzonden", and the respondent
    loses the invitation's hash (``link``, their ``invitation_hash``): afterwards nothing
    stored says whose answers these are.

    True when the respondent came in through a mailed link.
    """
    marked = session.execute(update(Invitation).where(Invitation.link_hash == link)
                             .values(sent_in=True).execution_options(synchronize_session=False))
    if not getattr(marked, "rowcount", 0):
        return False  # a personal link from the CSV: its hash stays (invitation_used page)
    session.execute(update(Respondent).where(Respondent.id == respondent_id)
                    .values(invitation_hash=None).execution_options(synchronize_session=False))
    return True


def forget(session: Session, assessment_id: int, ids: list[int] | None = None) -> int:
    """Delete the addresses of an assessment's invitations (those in ``ids`` only, if given).

    Also what links a respondent still answering to an invitation (their
    ``invitation_hash``): the mailed link then no longer resumes them, and the invitation's
    id (in the order of the facilitator's list) points at nobody. A message still waiting is
    not sent. Returns how many addresses went.
    """
    condition = (Invitation.assessment_id == assessment_id) & Invitation.address.is_not(None)
    if ids is not None:
        condition = condition & Invitation.id.in_(ids)
    links = select(Invitation.link_hash).where(condition)
    session.execute(update(Respondent).where(Respondent.invitation_hash.in_(links),
                                             Respondent.assessment_id == assessment_id)
                    .values(invitation_hash=None).execution_options(synchronize_session=False))
    session.execute(update(Invitation).where(condition, Invitation.delivery.in_(
        (Delivery.QUEUED.value,))).values(delivery=Delivery.FAILED.value, reason=ADDRESS_GONE)
        .execution_options(synchronize_session=False))
    forgotten = session.execute(update(Invitation).where(condition)
                                .values(address=None, nonce=None)
                                .execution_options(synchronize_session=False))
    return int(getattr(forgotten, "rowcount", 0) or 0)
