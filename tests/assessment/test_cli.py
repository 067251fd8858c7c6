"""The `regiospiegel` command line: demo, list, create-facilitator, questions lint, db upgrade."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assessment import create_app, management
from assessment import demo as demo_module
from assessment.config import PROJECT_ROOT
from assessment.db import read_session
from assessment.models import Answer, Assessment, Base, Facilitator, Respondent, Status
from questions.loader import CONTENT_DIR, QuestionnaireError
from tests.helpers import Participant, login

PRODUCT_FILE = CONTENT_DIR / "tien-lessen.nl.yaml"
#: The console script installed beside the interpreter running the tests.
SCRIPT = Path(sys.executable).parent / "regiospiegel"

#: A questionnaire file whose fifth line is badly indented.
BROKEN_YAML = """\
id: kapot
version: "1.0"
lessons:
   - id: a
  title: b
"""
BROKEN_LINE = 5


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    """A questionnaire directory holding one broken file."""
    directory = tmp_path / "vragen"
    directory.mkdir()
    (directory / "kapot.nl.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    return directory


def run_script(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script on a SQLite file in ``tmp_path``."""
    clean = {key: value for key, value in os.environ.items()
             if key not in {"QUESTIONS_DIR", "REGIOSPIEGEL_PASSWORD",
                            "REGIOSPIEGEL_DEMO_PASSWORD", "FLASK_APP", "BASE_URL"}}
    clean.update(DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
                 SECRET_KEY="test-secret-key-for-the-cli", **env)
    return subprocess.run([str(SCRIPT), *args], cwd=PROJECT_ROOT, env=clean,
                          capture_output=True, text=True, timeout=120, check=False)


def row_counts(app) -> dict[str, int]:
    """The number of rows in every table."""
    with app.app_context():
        session = read_session()
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch):
    monkeypatch.delenv("REGIOSPIEGEL_PASSWORD", raising=False)
    monkeypatch.delenv("REGIOSPIEGEL_DEMO_PASSWORD", raising=False)


# -- demo -----------------------------------------------------------------------------------


def _demo_scans(app, owner: str = "demo@regiospiegel.nl") -> dict[str, Assessment]:
    """The scans of one account, by title: the demo facilitator's unless told otherwise."""
    with app.app_context():
        return {a.title: a for a in read_session().scalars(
            select(Assessment).join(Assessment.owner).where(Facilitator.email == owner))}


def test_demo_creates_the_demo(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert ("Demo created: 28 respondents in 'Regio Zwolle – casus Dalfsen' (closed)"
            in result.output)
    assert "demo@regiospiegel.nl / demo-regiospiegel" in result.output
    assert "try-out scan 'Proefscan – probeer het zelf', join code: DMZW26" in result.output
    assert ("participant link (try-out scan): http://regiospiegel.test/d/DMZW26"
            in result.output)
    assert ("Answering in the try-out scan does not change the results of 'Regio Zwolle – "
            "casus Dalfsen'.") in result.output
    scans = _demo_scans(app)
    assert set(scans) == {"Regio Zwolle – casus Dalfsen", "Proefscan – probeer het zelf"}
    demo, tryout = scans["Regio Zwolle – casus Dalfsen"], scans["Proefscan – probeer het zelf"]
    assert (demo.join_code, demo.status) == ("ZWDF26", Status.CLOSED)
    assert (tryout.join_code, tryout.status) == ("DMZW26", Status.OPEN)
    assert demo.content_hash == tryout.content_hash  # the same questionnaire
    with app.app_context():
        session = read_session()
        respondents = session.scalars(select(Respondent).where(
            Respondent.assessment_id.in_((demo.id, tryout.id)))).all()
        assert len(respondents) == 28
        assert all(r.assessment_id == demo.id for r in respondents)
        assert all(r.submitted_at is not None for r in respondents)
        assert session.scalar(select(func.count()).select_from(Answer).join(Respondent).where(
            Respondent.assessment_id == demo.id)) == 28 * 46
    # The programme's other regions: made-up scans, closed, under an account of their own,
    # so the demo facilitator's list holds only the two scans above.
    assert "the other regions' answers are made up" in result.output
    others = _demo_scans(app, demo_module.DEMO_REGIONS_EMAIL)
    assert len(others) == len(demo_module.DEMO_PEERS) + 1 + sum(
        1 for peer in demo_module.DEMO_PEERS if peer[4] is not None)
    assert {scan.status for scan in others.values()} == {Status.CLOSED}


def test_the_printed_participant_link_leaves_the_demo_results_alone(app, runner):
    """A visitor answering through the printed link answers the try-out scan, not the demo."""
    result = runner.invoke(args=["demo"])
    link = re.search(r"participant link[^:]*: http://regiospiegel\.test(\S+)", result.output)
    assert link is not None, result.output
    visitor = Participant(app.test_client())
    visitor.join(link[1].removeprefix("/d/"))
    assert visitor.post_page("profiel", {"p_organisatietype": "gemeente",
                                         "p_rol": "ambtenaar"}).status_code == 302
    assert visitor.submit().status_code == 302
    with app.app_context():
        session = read_session()
        demo_id = session.scalar(select(Assessment.id).where(
            Assessment.title == "Regio Zwolle – casus Dalfsen"))
        per_scan = dict(session.execute(select(Respondent.assessment_id, func.count())
                                        .group_by(Respondent.assessment_id)).all())
    assert per_scan.pop(demo_id) == 28
    tryout_id = _demo_scans(app)["Proefscan – probeer het zelf"].id
    assert per_scan.get(tryout_id) == 1
    # And the demo scan cannot be joined: it is closed.
    assert "Deze scan is gesloten" in app.test_client().get("/d/ZWDF26").get_data(
        as_text=True)


def test_demo_twice_changes_nothing(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    before = row_counts(app)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo already present (nothing changed): 28 respondents" in result.output
    assert "join code: DMZW26" in result.output
    assert row_counts(app) == before
    assert len(_demo_scans(app)) == 2


def test_demo_seeded_before_the_try_out_scan_is_closed_and_gets_one(app, runner):
    """An older database had the filled-in scan open under DMZW26: it is closed, kept."""
    with app.app_context():
        from assessment import questionnaire_files

        owner = management.create_facilitator("demo@regiospiegel.nl", "demo-regiospiegel")
        old = management.create_assessment(
            owner, "Regio Zwolle", "Regio Zwolle – casus Dalfsen",
            questionnaire_files.available()[("tien-lessen", "nl")], join_code="DMZW26")
        management.set_status(old, Status.OPEN)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    scans = _demo_scans(app)
    assert scans["Regio Zwolle – casus Dalfsen"].status == Status.CLOSED
    tryout = scans["Proefscan – probeer het zelf"]
    assert tryout.status == Status.OPEN and tryout.join_code != "DMZW26"
    assert f"join code: {tryout.join_code}" in result.output


def test_demo_uses_the_password_from_the_environment(app, runner, client, monkeypatch):
    monkeypatch.setenv("REGIOSPIEGEL_DEMO_PASSWORD", "geheim-uit-de-omgeving")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo@regiospiegel.nl / geheim-uit-de-omgeving" in result.output
    assert login(client, "demo@regiospiegel.nl", "demo-regiospiegel").status_code == 401
    response = login(client, "demo@regiospiegel.nl", "geheim-uit-de-omgeving")
    assert response.status_code == 302
    assert response.location.endswith("/begeleider/")


# -- list -----------------------------------------------------------------------------------


def test_list_without_assessments(runner):
    result = runner.invoke(args=["list"])
    assert result.exit_code == 0, result.output
    assert "no assessments yet" in result.output


def test_list_shows_each_assessment_with_counts(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        from assessment import questionnaire_files

        owner = management.create_facilitator("begeleider@example.nl", "lang-genoeg-wachtwoord")
        draft_id = management.create_assessment(
            owner, "Regio Test", "Testscan concept",
            questionnaire_files.available()[("tien-lessen", "nl")],
            join_code="TST234")
        demo_id = read_session().scalar(
            select(Assessment.id).where(Assessment.join_code == "ZWDF26"))
    result = runner.invoke(args=["list"])
    assert result.exit_code == 0, result.output
    # Without the demo programme's made-up regions (an account of their own).
    others = {str(scan.id) for scan in _demo_scans(app, demo_module.DEMO_REGIONS_EMAIL).values()}
    lines = [line for line in result.output.splitlines() if line.split()[0] not in others]
    assert lines[0].split() == ["id", "code", "status", "started", "submitted", "title"]
    assert lines[1].split() == [str(demo_id), "ZWDF26", "closed", "28", "28",
                                "Regio", "Zwolle", "–", "casus", "Dalfsen"]
    assert lines[2].split() == [str(demo_id + 1), "DMZW26", "open", "0", "0",
                                "Proefscan", "–", "probeer", "het", "zelf"]
    assert lines[3].split() == [str(draft_id), "TST234", "draft", "0", "0",
                                "Testscan", "concept"]
    assert len(lines) == 4


# -- create-facilitator ---------------------------------------------------------------------


def stored_facilitator(app, email: str) -> Facilitator | None:
    with app.app_context():
        return read_session().scalar(select(Facilitator).where(Facilitator.email == email))


def test_create_facilitator_with_password_from_the_environment(app, runner):
    result = runner.invoke(args=["create-facilitator", "Anna@Example.nl", "--name", "Anna"],
                           env={"REGIOSPIEGEL_PASSWORD": "wachtwoord-van-anna"})
    assert result.exit_code == 0, result.output
    facilitator = stored_facilitator(app, "anna@example.nl")
    assert facilitator is not None
    assert result.output.strip() == f"created facilitator {facilitator.id}: anna@example.nl"
    assert (facilitator.name, facilitator.is_admin) == ("Anna", False)
    with app.app_context():
        assert management.authenticate("anna@example.nl", "wachtwoord-van-anna") is not None


def test_create_facilitator_with_password_at_the_prompt(app, runner):
    result = runner.invoke(args=["create-facilitator", "bert@example.nl", "--admin"],
                           input="wachtwoord-van-bert\nwachtwoord-van-bert\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert "wachtwoord-van-bert" not in result.output
    facilitator = stored_facilitator(app, "bert@example.nl")
    assert facilitator is not None
    assert facilitator.is_admin is True
    with app.app_context():
        assert management.authenticate("bert@example.nl", "wachtwoord-van-bert") is not None


def test_create_facilitator_prompt_asks_again_when_the_passwords_differ(app, runner):
    result = runner.invoke(
        args=["create-facilitator", "bert@example.nl"],
        input="wachtwoord-van-bert\nandere-tekst-123\nwachtwoord-van-bert\nwachtwoord-van-bert\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert stored_facilitator(app, "bert@example.nl") is not None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        pytest.param(["create-facilitator", "kort@example.nl"], {"input": "pw\npw\n"},
                     "Error: the password needs at least 10 characters", id="short-at-prompt"),
        pytest.param(["create-facilitator", "kort@example.nl"],
                     {"env": {"REGIOSPIEGEL_PASSWORD": "kort"}},
                     "Error: the password needs at least 10 characters", id="short-in-env"),
        pytest.param(["create-facilitator", "geen-adres"],
                     {"env": {"REGIOSPIEGEL_PASSWORD": "lang-genoeg-wachtwoord"}},
                     "Error: 'geen-adres' is not an e-mail address", id="not-an-email"),
    ],
)
def test_create_facilitator_refuses_bad_input(app, runner, args, kwargs, message):
    result = runner.invoke(args=args, **kwargs)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert row_counts(app)["facilitator"] == 0


def test_create_facilitator_refuses_a_duplicate_email(app, runner):
    env = {"REGIOSPIEGEL_PASSWORD": "lang-genoeg-wachtwoord"}
    assert runner.invoke(args=["create-facilitator", "anna@example.nl"], env=env).exit_code == 0
    result = runner.invoke(args=["create-facilitator", " ANNA@example.nl "], env=env)
    assert result.exit_code == 1
    assert "Error: a facilitator with e-mail anna@example.nl already exists" in result.output
    assert row_counts(app)["facilitator"] == 1


# -- questions lint ---------------------------------------------------------------------------


def test_lint_of_the_product_file(runner):
    result = runner.invoke(args=["questions", "lint", str(PRODUCT_FILE)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{PRODUCT_FILE}: ok (tien-lessen 1.0, nl: 10 lessons, 46 statements)\n")


def test_lint_of_a_broken_file_names_file_and_line(runner, broken_dir):
    path = broken_dir / "kapot.nl.yaml"
    result = runner.invoke(args=["questions", "lint", str(path), str(PRODUCT_FILE)])
    assert result.exit_code == 1
    assert f"{path}:{BROKEN_LINE}: this is not valid YAML" in result.stderr
    assert f"{PRODUCT_FILE}: ok" in result.stdout


def test_lint_needs_a_path(runner):
    result = runner.invoke(args=["questions", "lint"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_console_script_lints_the_product_file(tmp_path):
    result = run_script(tmp_path, "questions", "lint", str(PRODUCT_FILE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{PRODUCT_FILE}: ok (tien-lessen 1.0, nl: 10 lessons, 46 statements)\n"


def test_console_script_lint_reports_a_broken_file(tmp_path, broken_dir):
    path = broken_dir / "kapot.nl.yaml"
    result = run_script(tmp_path, "questions", "lint", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:{BROKEN_LINE}: this is not valid YAML")
    assert "Traceback" not in result.stderr


def test_console_script_lints_even_when_the_questions_dir_is_broken(tmp_path, broken_dir):
    result = run_script(tmp_path, "questions", "lint", str(PRODUCT_FILE),
                        QUESTIONS_DIR=str(broken_dir))
    assert result.returncode == 0, result.stderr
    assert f"{PRODUCT_FILE}: ok" in result.stdout


# -- a broken questionnaire stops the app -------------------------------------------------------


def test_console_script_refuses_to_start_with_a_broken_questionnaire(tmp_path, broken_dir):
    path = broken_dir / "kapot.nl.yaml"
    result = run_script(tmp_path, "list", QUESTIONS_DIR=str(broken_dir))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: cannot start: {path}:{BROKEN_LINE}: this is not valid YAML")
    assert lines[0].endswith("check indentation")
    assert "Traceback" not in result.stdout + result.stderr


def test_create_app_raises_for_a_broken_questionnaire(app_config, broken_dir):
    with pytest.raises(QuestionnaireError) as caught:
        create_app({**app_config, "QUESTIONS_DIR": str(broken_dir)})
    assert caught.value.path == str(broken_dir / "kapot.nl.yaml")
    assert caught.value.problems[0].line == BROKEN_LINE


def test_create_app_offers_the_questionnaires_of_its_questions_dir(app_config, tmp_path):
    directory = tmp_path / "vragen"
    directory.mkdir()
    text = PRODUCT_FILE.read_text(encoding="utf-8").replace("id: tien-lessen", "id: eigen-scan")
    (directory / "eigen.nl.yaml").write_text(text, encoding="utf-8")
    application = create_app({**app_config, "QUESTIONS_DIR": str(directory)})
    with application.app_context():
        from assessment import questionnaire_files

        assert sorted(questionnaire_files.available()) == [("eigen-scan", "nl")]


# -- db upgrade and the whole script ------------------------------------------------------------


def test_console_script_db_upgrade_creates_the_tables(tmp_path):
    result = run_script(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        tables = {row[0] for row in connection.execute(
            "select name from sqlite_master where type = 'table'")}
    assert {"facilitator", "assessment", "respondent", "answer", "comment"} <= tables


def test_console_script_demo_then_list(tmp_path):
    assert run_script(tmp_path, "db", "upgrade").returncode == 0
    demo = run_script(tmp_path, "demo", REGIOSPIEGEL_DEMO_PASSWORD="wachtwoord-uit-env")
    assert demo.returncode == 0, demo.stderr
    assert "demo@regiospiegel.nl / wachtwoord-uit-env" in demo.stdout
    listing = run_script(tmp_path, "list")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[1].split()[:5] == ["1", "ZWDF26", "closed", "28", "28"]
    assert listing.stdout.splitlines()[2].split()[:5] == ["2", "DMZW26", "open", "0", "0"]

