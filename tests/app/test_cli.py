"""The command line of contract §2: users create, users token, demo load."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import User


def test_users_create_with_password_from_stdin(app, runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New@Example.org",
            "--name",
            "New Person",
            "--role",
            "mentor",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    with app.app_context():
        user = db.session.query(User).filter_by(email="new@example.org").one()
        assert user.role == "mentor" and user.check_password("a long enough password")


def test_users_create_refuses_duplicates_and_bad_roles(runner):
    args = ["users", "create", "x@example.org", "--name", "X", "--role", "mentee"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(
        args=["users", "create", "X@EXAMPLE.org", "--name", "X", "--role", "mentee"]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["users", "create", "y@example.org", "--name", "Y", "--role", "boss"])
    assert bad.exit_code != 0


def test_users_token_prints_one_line_each(runner, client, make_user):
    make_user("coordinator", email="a@example.org")
    make_user("mentor", email="b@example.org")
    result = runner.invoke(args=["users", "token", "a@example.org", "B@example.org"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["a@example.org", "b@example.org"]
    token = lines[0].split("\t")[1]
    response = client.get("/api/v1/mentors", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_users_token_unknown_email_fails_and_writes_nothing(app, runner, make_user):
    make_user("coordinator", email="a@example.org")
    result = runner.invoke(args=["users", "token", "a@example.org", "ghost@example.org"])
    assert result.exit_code != 0 and "ghost@example.org" in result.output
    from mentor_match.models import ApiToken

    with app.app_context():
        assert db.session.query(ApiToken).count() == 0


def test_demo_load_is_idempotent_and_usable(app, runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "coordinator@demo.mentor-match.org" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert "already present" in second.output
    assert "waiting for the coordinator's review" in first.output
    with app.app_context():
        from mentor_match.models import MatchRound, Shift

        assert db.session.query(User).filter_by(role="mentor").count() == 8
        assert db.session.query(User).filter_by(role="mentee").count() == 20
        assert db.session.query(Shift).count() >= 16
        assert db.session.query(Shift).filter_by(open_to_all=True).count() >= 2
        demo_round = db.session.query(MatchRound).one()
        assert demo_round.status == "proposed" and demo_round.stats["matched"] >= 15
    from mentor_match.services.demo import DEMO_PASSWORD
    from tests.helpers import login

    assert login(client, "coordinator@demo.mentor-match.org", DEMO_PASSWORD).status_code == 302
    page = client.get("/participants/?role=mentor").get_data(as_text=True)
    assert "Dana Whitfield" in page and "8 mentors" in page


def test_demo_load_if_empty_leaves_real_data_alone(runner, make_user):
    make_user("coordinator")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in result.output
