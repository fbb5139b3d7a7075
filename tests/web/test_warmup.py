"""A worker's first request warms every region's suggestion pool in the background (web/warmup.py)."""

from sqlalchemy import event

from mediation.extensions import db
from mediation.models import AssignmentPolicyRecord
from mediation.services import assignment, contacts, registry_snapshot, suggestion_pools
from mediation.services.clock import local_date, utcnow
from mediation.web import warmup
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf


def test_the_first_request_builds_each_regions_pool_and_the_republic_pool_once(app, client, org):
    # Given mediators in two regions, one of whose policies opens the republic pool
    almaty, abai = rf.mediator(org.almaty), rf.mediator(org.abai)
    db.session.add(AssignmentPolicyRecord(region_id=org.abai.id, allow_republic_pool=True, horizon_days=7))
    db.session.commit()
    registry_snapshot.forget()
    suggestion_pools.forget()
    app.config["WARM_SUGGESTIONS"] = True
    warmup.register(app)
    # When the worker answers its first requests
    client.get("/auth/login")
    thread = app.extensions["suggestion_warmup"]
    client.get("/auth/login")
    thread.join(30)
    # Then one thread built Almaty's pool and the republic pool Abai uses, with the whole registry loaded
    assert app.extensions["suggestion_warmup"] is thread and not thread.is_alive()
    assert {(key[0], key[2]) for key in suggestion_pools._POOLS} == {(org.almaty.id, 14), (None, 7)}
    assert {almaty.id, abai.id} <= set(registry_snapshot._ENTRIES)
    # each with its mediators' standings read (each pool's own, from one read of everyone's)
    standings = {key[0]: cached.standings for key, cached in suggestion_pools._POOLS.items()}
    assert set(standings[org.almaty.id].marks) <= {m.standing_revision for m in (almaty, abai)}
    assert len(standings[org.almaty.id].marks) == 1 and len(standings[None].marks) == 2
    # And warming again builds nothing new, and a coordinator's first view uses the warmed pool
    assert warmup.warm_now(app) == 0
    warmed = dict(suggestion_pools._POOLS)
    coordinator = factories.make_user("coordinator", org=org, house=org.republican_house)
    case = rf.waiting_case(coordinator, org.republican_house, received_on=cf.today())
    db.session.commit()
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        view = assignment.suggestions_for(coordinator.actor, case.id, today=local_date(utcnow()),
                                          thresholds=rf.THRESHOLDS)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    # the warm-up read each pool's fingerprint too: the view reads no mark and no figure
    assert not [s for s in statements if "standing_revision" in s and "sum(" not in s and "full_name" not in s]
    assert not [s for s in statements if "mediator_absence" in s or "mediator_category_stats" in s]
    assert [s.mediator_id for s in view.suggestions.ranked] == [almaty.id]
    pools = suggestion_pools._POOLS
    assert set(pools) == set(warmed) and all(pools[key] is pool for key, pool in warmed.items())


def test_no_warming_unless_configured(app, client, org):
    suggestion_pools.forget()
    warmup.register(app)  # WARM_SUGGESTIONS is off in the test configuration
    client.get("/auth/login")
    assert "suggestion_warmup" not in app.extensions and not suggestion_pools._POOLS


def test_warming_also_loads_the_phone_number_library_the_views_import_on_first_use(app, monkeypatch):
    loaded = []
    monkeypatch.setattr(contacts, "load_library", lambda: loaded.append(True))
    warmup.warm_now(app)
    assert loaded == [True]
