"""Migrations: `upgrade head` on an empty database equals the models, and every revision downgrades."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from mediation import create_app
from mediation.cli_db import alembic_config, downgrade, upgrade
from mediation.extensions import db
from mediation.models import is_hand_made_object
from tests.conftest import config_for, unavailable

PG_ADMIN_URL = os.environ.get("MEDIATION_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """An empty database on each engine; PostgreSQL gets a throwaway database created for the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"mediation_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.__class__.__name__}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(app) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, type_, parent: not is_hand_made_object(name)})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_equals_the_models(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        assert _diff(app) == []
        db.engine.dispose()


def test_the_db_commands_upgrade_report_check_and_downgrade(empty_database):
    app = create_app(config_for(empty_database))
    runner = app.test_cli_runner()
    with app.app_context():
        head = ScriptDirectory.from_config(alembic_config(app)).get_current_head()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        current = runner.invoke(args=["db", "current"])
        assert current.exit_code == 0 and f"{head} (head)" in current.output
        # check: the models hold nothing that no revision makes (it exits non-zero if they do)
        assert runner.invoke(args=["db", "check"]).exit_code == 0
        assert runner.invoke(args=["db", "downgrade"]).exit_code == 0
        after = runner.invoke(args=["db", "current"])
        assert after.exit_code == 0 and head not in after.output
        db.engine.dispose()


def test_db_upgrade_sql_prints_postgresqls_migrations_and_refuses_sqlite_with_a_message(empty_database):
    app = create_app(config_for(empty_database))
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["db", "upgrade", "--sql"])
        if db.engine.dialect.name == "sqlite":
            assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
            assert "--sql prints PostgreSQL's migrations only" in result.output
            assert "CREATE TABLE" not in result.output  # nothing half printed before the refusal
        else:
            assert result.exit_code == 0, result.output
            assert result.output.count("CREATE TABLE") >= 20 and "alembic_version" in result.output
        assert inspect(db.engine).get_table_names() == []  # printed, never run
        db.engine.dispose()


def test_db_downgrade_sql_asks_for_the_range(empty_database):
    if not empty_database.startswith("postgresql"):
        pytest.skip("--sql prints PostgreSQL's migrations")
    app = create_app(config_for(empty_database))
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["db", "downgrade", "--sql"])
        assert result.exit_code == 2 and "needs the range to print, as FROM:TO" in result.output
        result = runner.invoke(args=["db", "downgrade", "--sql", "6c1e9b4d2a73:9b4e2c7d5f18"])
        assert result.exit_code == 0 and "DROP INDEX ix_mediator_name_order" in result.output, result.output[-500:]
        db.engine.dispose()


def test_db_commands_report_an_unknown_revision_in_one_line(empty_database):
    app = create_app(config_for(empty_database))
    runner = app.test_cli_runner()
    with app.app_context():
        for args in (["db", "upgrade", "nosuchrevision"], ["db", "stamp", "nosuchrevision"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
            assert "Error: Can't locate revision identified by 'nosuchrevision'" in result.output
        db.engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config(app))
        revisions = [r.revision for r in script.walk_revisions("base", "heads")]
        upgrade()
        for _ in revisions:  # one step at a time, so every downgrade() runs
            downgrade(revision="-1")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _diff(app) == []
        db.engine.dispose()


def test_audit_trail_is_append_only_after_migration(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO audit_event (at, action, summary) VALUES "
                                    "(CURRENT_TIMESTAMP, 'test', '{}')"))
        for statement in ("UPDATE audit_event SET action = 'changed'", "DELETE FROM audit_event"):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
                connection.execute(text(statement))
        db.engine.dispose()


def test_the_case_lists_postgresql_helpers_exist_after_migration_and_after_create_all(empty_database):
    """The migration and create_all (the test suite's databases) give PostgreSQL the same planner helpers."""
    if not empty_database.startswith("postgresql"):
        pytest.skip("PostgreSQL-only objects")
    wanted = {"ix_case_list_rows", "st_case_house_region"}
    query = text("SELECT indexname FROM pg_indexes WHERE tablename = 'case' "
                 "UNION SELECT stxname FROM pg_statistic_ext")
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert wanted <= set(connection.scalars(query))
        downgrade(revision="d93b6e0c5a14")
        with db.engine.connect() as connection:
            assert not wanted & set(connection.scalars(query))
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        with db.engine.connect() as connection:
            assert wanted <= set(connection.scalars(query))
        db.engine.dispose()


def test_the_sqlite_search_table_keeps_prefix_indexes_and_scope_after_migration_and_after_create_all(
        empty_database):
    if not empty_database.startswith("sqlite"):
        pytest.skip("SQLite's FTS5 table")
    query = text("SELECT sql FROM sqlite_master WHERE name = 'case_fts'")
    trigger = text("SELECT sql FROM sqlite_master WHERE name = 'case_fts_update'")
    columns = text("""SELECT name FROM pragma_table_xinfo('case')""")
    check = text("INSERT INTO case_fts(case_fts, rank) VALUES ('integrity-check', 1)")  # raises if corrupt
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            assert "prefix='2 3'" in connection.scalar(query) and "search_scope" in connection.scalar(query)
            assert "region_id, house_id" in connection.scalar(trigger)
            connection.execute(check)
        downgrade(revision="4c1e7b9d2a63")
        with db.engine.begin() as connection:
            assert "prefix='2 3'" in connection.scalar(query) and "search_scope" not in connection.scalar(query)
            assert "search_scope" not in set(connection.scalars(columns))
            connection.execute(check)
        upgrade()  # and up again over the same database
        downgrade(revision="4c1e7b9d2a63")
        downgrade(revision="e7a2c9d41f58")
        with db.engine.connect() as connection:
            assert "prefix" not in connection.scalar(query)
        db.engine.dispose()
    app = create_app(config_for(empty_database.rsplit("/", 1)[0] + "/created.db"))
    with app.app_context():
        db.create_all()
        with db.engine.connect() as connection:
            assert "prefix='2 3'" in connection.scalar(query) and "search_scope" in connection.scalar(query)
            assert "search_scope" in set(connection.scalars(columns))
        db.engine.dispose()


def test_cases_registered_before_the_sqlite_scope_migration_are_found_in_their_scope_after_it(empty_database):
    if not empty_database.startswith("sqlite"):
        pytest.skip("SQLite's FTS5 table")
    from datetime import date

    from mediation.services.case_queries import CaseFilter, list_cases
    from tests import case_factories as cf
    from tests import factories

    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade(revision="4c1e7b9d2a63")  # case_fts without the scope column, as a database in service had it
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", region=org.almaty)
        received = date(2025, 3, 3)
        almaty = cf.register(coordinator, org.republican_house, received_on=received,
                             parties=cf.two_parties("Қасымов Ерлан", "Петров Иван"))
        cf.register(factories.make_user("coordinator", house=org.semey_house), org.semey_house, received_on=received,
                    parties=cf.two_parties("Қасымова Гүлнар", "Ли Виктор"))
        db.session.commit()
        actor, number = coordinator.actor, almaty.number
        db.session.remove()
        upgrade()  # rebuilds case_fts from the case table, scope included
        page = list_cases(actor, CaseFilter(query="қасым"), today=date(2025, 3, 12))
        assert ([row.number for row in page.rows], page.total) == ([number], 1)
        db.session.remove()
        db.engine.dispose()


def test_mediators_registered_before_the_name_order_migration_are_listed_in_alphabet_order_after_it(empty_database):
    from mediation.domain.roles import Actor, Role
    from mediation.services.registry_queries import RegistryFilter, list_mediators

    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade(revision="9b4e2c7d5f18")  # mediator without name_order, as a database in service had it
        from tests import factories

        region = factories.make_org().almaty.id
        names = ["Яковлев Олег", "Қасымова Гүлнар", "Әбенов Бауыржан", "Карпов Иван", "Абаев Нұрлан", "Өтебаев Ержан"]
        for number, name in enumerate(names, start=1):
            db.session.execute(text(
                "INSERT INTO mediator (registry_number, full_name, name_folded, kind, region_id, higher_education, "
                "retired_judge, takes_cases_elsewhere, max_active_cases, status, disqualifications, created_at, "
                "updated_at, revision, standing_revision) VALUES (:n, :name, :folded, 'public', :r, false, false, "
                "true, 5, 'active', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 1)"),
                {"n": f"75-{number:05d}", "name": name, "folded": name.casefold(), "r": region})
        db.session.commit()
        db.session.remove()
        upgrade()
        page = list_mediators(Actor(id=0, role=Role.ADMIN), RegistryFilter())
        assert [m.full_name for m in page.mediators] == [
            "Абаев Нұрлан", "Әбенов Бауыржан", "Карпов Иван", "Қасымова Гүлнар", "Өтебаев Ержан", "Яковлев Олег"]
        db.session.remove()
        db.engine.dispose()


def test_the_alphabet_order_holds_in_a_postgresql_database_whose_own_collation_is_not_c():
    """The key sorts by code point; a database made with ICU's (or glibc's) rules must not reorder it."""
    from mediation.domain.roles import Actor, Role
    from mediation.services.registry_queries import RegistryFilter, list_mediators
    from tests import factories
    from tests import registry_factories as rf

    name = f"mediation_icu_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' '
                                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"))
    except Exception as error:  # noqa: BLE001 - no PostgreSQL, or one without ICU
        admin.dispose()
        unavailable(f"no PostgreSQL with ICU at {PG_ADMIN_URL}: {error.__class__.__name__}")
    try:
        app = create_app(config_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"))
        with app.app_context():
            upgrade()
            org = factories.make_org()
            names = ["Яковлев Олег", "Қасымова Гүлнар", "Әбенов Бауыржан", "Карпов Иван", "Абаев Нұрлан", "Lee Anna"]
            for full_name in names:
                rf.mediator(org.almaty, full_name=full_name)
            db.session.commit()
            page = list_mediators(Actor(id=0, role=Role.ADMIN), RegistryFilter())
            assert [m.full_name for m in page.mediators] == [
                "Lee Anna", "Абаев Нұрлан", "Әбенов Бауыржан", "Карпов Иван", "Қасымова Гүлнар", "Яковлев Олег"]
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_revision_files_are_date_prefixed():
    versions = os.path.join(os.path.dirname(__file__), os.pardir, "migrations", "versions")
    names = [n for n in os.listdir(versions) if n.endswith(".py")]
    assert names and all(n[:8].isdigit() and n[8] == "_" for n in names)


def test_the_revision_migration_marks_existing_mediators_apart_and_keeps_their_languages(empty_database):
    """Existing rows get distinct random revisions, and adding the column cascades nothing away (SQLite)."""
    from mediation.models import Region
    from tests import registry_factories as rf

    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        region = Region(kato2="75", kind="city", name_kk="Алматы", name_ru="Алматы", name_en="Almaty")
        db.session.add(region)
        db.session.flush()
        for name in ("Бірінші Медиатор", "Екінші Медиатор"):
            rf.mediator(region, full_name=name)
        db.session.commit()
        db.session.remove()
        downgrade(revision="f3b81d6c20a9")
        upgrade()
        with db.engine.connect() as connection:
            revisions = list(connection.scalars(text("SELECT revision FROM mediator")))
            languages = connection.scalar(text("SELECT count(*) FROM mediator_language"))
        assert len(set(revisions)) == 2 and 0 not in revisions
        assert languages == 4  # Kazakh and Russian each, still there
        db.engine.dispose()


STANDING_TRIGGERS = {
    "sqlite": {f"{table}_standing_{operation}" for table in ("case_assignment", "mediator_category_stats",
                                                            "mediator_absence")
               for operation in ("insert", "update", "delete")} | {"mediator_standing_last_assigned"},
    "postgresql": {"case_assignment_standing", "case_assignment_standing_insert", "mediator_category_stats_standing",
                   "mediator_absence_standing", "mediator_standing_renewed"},
}
# PostgreSQL's own text of a trigger (events, row or statement, transition table, function), to compare the
# migrations' with create_all's.
POSTGRES_TRIGGER_DEFINITIONS = "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
POSTGRES_STANDING_FUNCTIONS = "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'mediator_standing%'"


def test_the_standing_triggers_exist_after_migration_and_after_create_all(empty_database):
    """Suggestion pools trust them to mark every change (models/standing_ddl.py): a migration must never lose them."""
    app = create_app(config_for(empty_database))
    query = {"sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
             "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"}
    with app.app_context():
        dialect = db.engine.dialect.name
        upgrade()
        with db.engine.connect() as connection:
            assert STANDING_TRIGGERS[dialect] <= set(connection.scalars(text(query[dialect])))
            if dialect == "postgresql":
                migrated = dict(connection.execute(text(POSTGRES_TRIGGER_DEFINITIONS)).all())
                migrated_functions = dict(connection.execute(text(POSTGRES_STANDING_FUNCTIONS)).all())
        downgrade(revision="3e9c5d7a1b20")
        with db.engine.connect() as connection:
            if dialect == "postgresql":  # the row trigger takes the inserts again, and the statement's function goes
                definitions = dict(connection.execute(text(POSTGRES_TRIGGER_DEFINITIONS)).all())
                assert "case_assignment_standing_insert" not in definitions
                assert "AFTER INSERT OR DELETE OR UPDATE" in definitions["case_assignment_standing"]
                assert set(connection.scalars(text(POSTGRES_STANDING_FUNCTIONS))) == {
                    "mediator_standing_moved", "mediator_standing_renewed"}
        downgrade(revision="b7c3e5a1f904")
        with db.engine.connect() as connection:
            assert not STANDING_TRIGGERS[dialect] & set(connection.scalars(text(query[dialect])))
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        with db.engine.connect() as connection:
            assert STANDING_TRIGGERS[dialect] <= set(connection.scalars(text(query[dialect])))
            if dialect == "postgresql":
                created = dict(connection.execute(text(POSTGRES_TRIGGER_DEFINITIONS)).all())
                assert {name: created[name] for name in STANDING_TRIGGERS[dialect]} == \
                    {name: migrated[name] for name in STANDING_TRIGGERS[dialect]}
                assert dict(connection.execute(text(POSTGRES_STANDING_FUNCTIONS)).all()) == migrated_functions
                assert set(migrated_functions) == {"mediator_standing_moved", "mediator_standing_inserted",
                                                   "mediator_standing_renewed"}
                assert "FOR EACH STATEMENT" in created["case_assignment_standing_insert"]
        db.engine.dispose()
