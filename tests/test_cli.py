"""The CLI: seed demo, users create, and the production refusal."""

from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import FriendshipHouse, MediationRoom, Mediator, Region, User


def test_seed_demo_fills_an_empty_database(app, runner):
    result = runner.invoke(args=["seed", "demo", "--cases", "12"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Region.id))) == 20
    regions_with_house = db.session.scalar(select(func.count(func.distinct(FriendshipHouse.region_id))))
    assert regions_with_house == 20
    assert db.session.scalar(select(func.count(FriendshipHouse.id)).where(FriendshipHouse.is_republican)) == 1
    republican = db.session.scalar(select(FriendshipHouse).where(FriendshipHouse.is_republican))
    assert republican.region.kato2 == "75"
    assert db.session.scalar(select(func.count(MediationRoom.id))) >= 20
    assert 195 <= db.session.scalar(select(func.count(Mediator.id))) <= 210
    assert {u.username for u in db.session.scalars(select(User))} == {"admin", "manager", "coordinator", "mediator"}
    languages = {lang.language for m in db.session.scalars(select(Mediator)) for lang in m.languages}
    assert {"kk", "ru", "uz", "ug", "ko", "de"} <= languages


def test_demo_logins_work(app, runner):
    from tests.conftest import login

    runner.invoke(args=["seed", "demo", "--cases", "12"])
    for username in ("admin", "manager", "coordinator", "mediator"):
        client = app.test_client()
        assert login(client, username, "demo12345").status_code == 302


def test_seed_demo_refuses_a_database_with_accounts(app, runner):
    runner.invoke(args=["seed", "demo", "--cases", "12"])
    again = runner.invoke(args=["seed", "demo", "--cases", "12"])
    assert again.exit_code != 0 and "already" in again.output
    skipped = runner.invoke(args=["seed", "demo", "--if-empty", "--cases", "12"])
    assert skipped.exit_code == 0 and "skipped" in skipped.output


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["seed", "demo", "--cases", "12"])
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_prompts_for_the_password(app, runner, org):
    result = runner.invoke(args=["users", "create", "--username", "Aliya", "--full-name", "Әлия Ибраева",
                                 "--role", "coordinator", "--region", "75"],
                           input="a strong password\na strong password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "aliya"))
    assert user.region.kato2 == "75" and user.password_hash.startswith("$argon2id$")
    assert "a strong password" not in result.output


def test_users_create_refuses_a_bad_scope(app, runner, org):
    result = runner.invoke(args=["users", "create", "--username", "aliya", "--full-name", "Әлия",
                                 "--role", "coordinator"], input="a strong password\na strong password\n")
    assert result.exit_code != 0 and "scope_invalid" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_regions_come_from_the_packaged_list(app, runner):
    assert runner.invoke(args=["seed", "regions"]).exit_code == 0
    ulytau = db.session.scalar(select(Region).where(Region.kato2 == "62"))
    assert (ulytau.name_kk, ulytau.name_ru, ulytau.name_en) == ("Ұлытау облысы", "область Ұлытау", "Ulytau Region")
    assert db.session.scalar(select(Region.centre_ru).where(Region.kato2 == "19")) == "Конаев"
