"""The participant's happy path, end to end through the test client."""

from sqlalchemy import func, select

from assessment.db import read_session
from assessment.models import Answer


def test_participant_completes_a_page_and_submits(app, participant):
    response = participant.post_page("profiel", {"p_organisatietype": "gemeente",
                                                 "p_rol": "ambtenaar"})
    assert response.status_code == 302
    assert response.location.endswith("/urgentie")
    response = participant.post_page("urgentie", {"a_urgentie-1": "4"})
    assert response.location.endswith("/visie")
    assert participant.submit().status_code == 302
    with app.app_context():
        assert read_session().scalar(select(func.count()).select_from(Answer)) == 1
