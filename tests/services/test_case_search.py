"""Name search inside a scope, on both engines: a region coordinator, a house coordinator, a manager's region and
house filters, words of every length; on PostgreSQL, what the stored search_terms hold (models/search_ddl.py)."""

from datetime import date

import pytest
from sqlalchemy import select, text

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Case
from mediation.services.case_queries import CaseFilter, list_cases
from mediation.services.case_search import search_scope
from tests import case_factories as cf
from tests import factories
from tests.sql_plans import statements_containing

RECEIVED = date(2025, 3, 3)
TODAY = date(2025, 3, 12)
LONG = "Аааааааааабббббббббввввввввввггггггггггддддддддддееееееееeeжжжжжжжжжжзззз"  # 72 letters


@pytest.fixture
def cases(org):
    """The same surname in Almaty (two houses) and in Abai, and one very long name."""
    almaty_house = factories.make_house(org.almaty, name="Алматы қалалық Достық үйі")

    def register(house, first, second):
        coordinator = factories.make_user("coordinator", house=house)
        return cf.register(coordinator, house, received_on=RECEIVED, parties=cf.two_parties(first, second))

    found = {
        "republican": register(org.republican_house, "Қасымов Ерлан", "Петров Иван"),
        "city": register(almaty_house, "Қасымова Гүлнар", "Ли Виктор"),
        "abai": register(org.semey_house, "Қасымов Нұрлан", "Ким Ольга"),
        "long": register(org.republican_house, LONG, "Сидорова Анна"),
    }
    db.session.commit()
    return found, almaty_house


def numbers(actor, **filters) -> set[str]:
    page = list_cases(actor, CaseFilter(**filters), today=TODAY)
    return {row.number for row in page.rows}


def test_a_region_coordinator_finds_only_the_regions_cases(org, cases):
    found, _house = cases
    coordinator = factories.make_user("coordinator", region=org.almaty).actor
    assert numbers(coordinator, query="қасым") == {found["republican"].number, found["city"].number}
    assert numbers(coordinator, query="ким") == set()


def test_a_house_coordinator_finds_only_the_houses_cases(org, cases):
    found, house = cases
    coordinator = factories.make_user("coordinator", house=house).actor
    assert numbers(coordinator, query="ҚАСЫМ") == {found["city"].number}


def test_a_managers_region_and_house_filters_narrow_the_search(org, cases):
    found, house = cases
    manager = factories.make_user("manager", org=org).actor
    assert numbers(manager, query="қасым") == {found[k].number for k in ("republican", "city", "abai")}
    assert numbers(manager, query="қасым", region_id=org.abai.id) == {found["abai"].number}
    assert numbers(manager, query="қасым", house_id=house.id) == {found["city"].number}
    # A house filter naming another region's house inside a region's scope finds nothing
    almaty_manager = factories.make_user("manager", region=org.almaty).actor
    assert numbers(almaty_manager, query="қасым", house_id=org.semey_house.id) == set()


@pytest.mark.parametrize(("query", "expected"), [
    ("аааа", True), (LONG[:64], True), (LONG, True), (LONG + "ы", False), ("сидорова анна", True),
    ("сидорова ольга", False), ("а", True),
])
def test_words_of_any_length_match_as_prefixes(org, cases, query, expected):
    found, _house = cases
    manager = factories.make_user("manager", org=org).actor
    assert (found["long"].number in numbers(manager, query=query)) is expected


def test_the_search_scope_follows_the_actor_and_the_filters(org, cases):
    _found, house = cases
    coordinator = factories.make_user("coordinator", region=org.almaty).actor
    manager = factories.make_user("manager", org=org).actor
    mediator = factories.make_user("mediator", house=house).actor
    assert search_scope(coordinator, CaseFilter(query="x")) == (("r", org.almaty.id),)
    assert search_scope(coordinator, CaseFilter(query="x", house_id=house.id)) == (
        ("r", org.almaty.id), ("h", house.id))
    assert search_scope(manager, CaseFilter(query="x")) == ()
    assert search_scope(manager, CaseFilter(query="x", region_id=org.abai.id)) == (("r", org.abai.id),)
    # A mediator's cases are no region or house; a number search reads the number index
    assert search_scope(mediator, CaseFilter(query="x")) == ()
    assert search_scope(coordinator, CaseFilter(query="75-2025")) == ()


def test_a_case_moved_to_another_house_is_found_in_its_new_scope_only(org, cases):
    found, house = cases
    case = db.session.scalar(select(Case).where(Case.id == found["abai"].id))
    case.house_id, case.region_id, case.sequence = house.id, org.almaty.id, 999  # the sequence is per region
    db.session.commit()
    almaty = factories.make_user("coordinator", region=org.almaty).actor
    abai = factories.make_user("coordinator", region=org.abai).actor
    assert found["abai"].number in numbers(almaty, query="нұрлан")
    assert found["abai"].number in numbers(factories.make_user("coordinator", house=house).actor, query="нұрлан")
    assert numbers(abai, query="нұрлан") == set()


def test_postgresql_stores_every_prefix_and_the_scope(org, cases):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("search_terms is PostgreSQL's")
    found, house = cases
    case = found["city"]
    terms = set(db.session.scalar(text('SELECT tsvector_to_array(search_terms) FROM "case" WHERE id = :id'),
                                  {"id": case.id}))
    assert {"қ", "қа", "қасымова", "ли", "г", "гүлнар", f"~r{org.almaty.id}", f"~h{house.id}"} <= terms
    assert "~" not in {t[0] for t in terms if not t.startswith(("~r", "~h"))}
    long_terms = set(db.session.scalar(text('SELECT tsvector_to_array(search_terms) FROM "case" WHERE id = :id'),
                                       {"id": found["long"].id}))
    assert max(len(t) for t in long_terms) == 64
    # The column follows the row: a new party name is searchable at once
    row = db.session.scalar(select(Case).where(Case.id == case.id))
    row.search_text = row.search_text + " жаңаесім"
    db.session.commit()
    assert case.number in numbers(factories.make_user("manager", org=org).actor, query="жаңаес")


@pytest.mark.parametrize(("who", "filters", "expected", "alone"), [
    ("manager", {}, {"republican", "city", "abai"}, True),
    ("manager", {"state": CaseState.REGISTERED}, {"republican", "city", "abai"}, False),
    ("manager", {"region_id": "almaty"}, {"republican", "city"}, True),
    ("manager", {"house_id": "city"}, {"city"}, True),
    ("manager", {"region_id": "abai", "house_id": "city"}, set(), True),
    ("manager", {"sort": "deadline"}, set(), False),  # no deadline before the contract
    ("coordinator", {}, {"republican", "city"}, True),
    ("coordinator", {"house_id": "city"}, {"city"}, True),
    ("coordinator", {"house_id": "semey"}, set(), True),  # another region's house
    ("coordinator", {"region_id": "abai"}, set(), True),
    ("coordinator", {"category": "family"}, set(), False),  # the cases are of another category
    ("house coordinator", {}, {"city"}, True),
    ("house coordinator", {"region_id": "almaty"}, {"city"}, True),
    ("house coordinator", {"region_id": "abai"}, set(), True),
    ("house coordinator", {"house_id": "republican"}, set(), True),
])
def test_a_name_search_narrowed_only_by_its_scope_is_counted_from_the_search_index_on_sqlite(
        org, cases, who, filters, expected, alone):
    found, house = cases
    actor = {"manager": lambda: factories.make_user("manager", org=org),
             "coordinator": lambda: factories.make_user("coordinator", region=org.almaty),
             "house coordinator": lambda: factories.make_user("coordinator", house=house)}[who]().actor
    ids = {"almaty": org.almaty.id, "abai": org.abai.id, "city": house.id, "semey": org.semey_house.id,
           "republican": org.republican_house.id}
    filters = {key: ids.get(value, value) for key, value in filters.items()}
    with statements_containing("FROM case_fts WHERE case_fts MATCH ? LIMIT") as counts:
        page = list_cases(actor, CaseFilter(query="ҚАСЫМ", **filters), today=TODAY)
    assert {row.number for row in page.rows} == {found[k].number for k in expected}
    assert (page.total, page.total_capped) == (len(expected), False)
    assert len(counts) == (1 if alone and db.engine.dialect.name == "sqlite" else 0)


@pytest.fixture
def analysed(org, cases, monkeypatch):
    """The table's statistics read (ANALYZE), with a count cap of 1 and a margin of 2: a word in more than two of
    the four cases is "common" (the fixture's 'қасым' is in three)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    from mediation.services import case_queries, case_search

    monkeypatch.setattr(case_queries, "COUNT_CAP", 1)
    monkeypatch.setattr(case_search, "COMMON_WORD_MARGIN", 2)
    db.session.execute(text('ANALYZE "case"'))
    case_search.forget_word_statistics()
    yield cases
    case_search.forget_word_statistics()


@pytest.mark.parametrize(("who", "query", "filters", "counted"), [
    ("manager", "қасым", {}, False),  # the statistics put it in 3 of 4 cases: over the cap, not counted
    ("manager", "ҚАСЫМ", {}, False),  # folded first
    ("manager", "петров", {}, True),  # in 1 of 4: under the margin
    ("manager", "қасым ерлан", {}, True),  # two words: how they go together is not in the statistics
    ("manager", "қасым", {"region_id": "almaty"}, True),
    ("manager", "қасым", {"state": CaseState.REGISTERED}, True),
    ("manager", "қасым", {"sort": "deadline"}, True),  # only cases with a deadline: not in the statistics
    ("region manager", "қасым", {}, True),
    ("coordinator", "қасым", {}, True),
])
def test_postgresql_shows_a_common_word_over_the_cap_from_the_statistics_without_counting(
        org, analysed, who, query, filters, counted):
    found, _ = analysed
    actor = {"manager": lambda: factories.make_user("manager", org=org),
             "region manager": lambda: factories.make_user("manager", region=org.almaty),
             "coordinator": lambda: factories.make_user("coordinator", region=org.almaty)}[who]().actor
    filters = {key: org.almaty.id if value == "almaty" else value for key, value in filters.items()}
    with statements_containing("count(*)") as counts:
        page = list_cases(actor, CaseFilter(query=query, **filters), today=TODAY)
    assert len(counts) == (1 if counted else 0)
    assert page.total == (1 if filters.get("sort") != "deadline" else 0)
    if not counted:
        assert page.total_capped and {row.number for row in page.rows} == {
            found[k].number for k in ("republican", "city", "abai")}


def test_postgresql_counts_every_word_when_the_statistics_hold_none(org, cases, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    from mediation.services import case_search

    monkeypatch.setattr(case_search, "_search_word_statistics", lambda: ({}, 0.0))
    with statements_containing("count(*)") as counts:
        page = list_cases(factories.make_user("manager", org=org).actor, CaseFilter(query="қасым"), today=TODAY)
    assert len(counts) == 1 and (page.total, page.total_capped) == (3, False)
