"""Finding cases: the scoped list with filters, search, keyset pagination and capped counts.

Every list is scoped by the same rule as the case page (services/case_access.py), and a page costs a
fixed number of queries whatever its size: the page, its parties, its houses, and the capped count.
"""

import base64
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)

from ..domain.case_fields import CaseCategory, TensionLevel
from ..domain.case_states import CaseState
from ..domain.roles import Actor, Role, ScopeLevel
from ..extensions import db
from ..models import Case, CaseAssignment, FriendshipHouse, Party
from ..models.case import OPEN_STATE_VALUES
from .case_access import WORKING_STATUSES, cases_of_mediator_user
from .case_search import (
    Scope,
    count_without_the_cases,
    is_number_search,
    number_condition,
    postgres_words_condition,
    search_scope,
    search_words,
    sqlite_matches,
)

PAGE_SIZE = 25
COUNT_CAP = 1000


@dataclass(frozen=True)
class CaseFilter:
    """What the list is narrowed to; None means "any"."""

    state: CaseState | None = None
    region_id: int | None = None
    house_id: int | None = None
    category: CaseCategory | None = None
    tension: TensionLevel | None = None
    mediator_id: int | None = None
    due: str | None = None  # "overdue" or "week"
    received_from: date | None = None
    received_to: date | None = None
    query: str = ""
    sort: str = "received"  # "received" (newest first) or "deadline" (soonest first)


@dataclass(frozen=True)
class CaseRow:
    """One line of the list."""

    id: int
    number: str
    received_on: date
    category: CaseCategory
    state: CaseState
    tension: TensionLevel
    deadline: date | None
    house_id: int
    parties: tuple[str, ...] = ()
    house_names: tuple[str, str, str] = ("", "", "")  # kk, ru, en

    def house_name(self, locale: str) -> str:
        """The Friendship House's name in the interface language."""
        return dict(zip(("kk", "ru", "en"), self.house_names, strict=True)).get(locale) or self.house_names[0]


@dataclass(frozen=True)
class CasePage:
    """A page of rows, the cursor of the next page, and the (capped) total."""

    rows: list[CaseRow]
    next_cursor: str | None
    total: int
    total_capped: bool


def scope_conditions(actor: Actor, *, plain: bool = False) -> list:
    """The WHERE clauses that keep a list inside what the actor may see (as can_view_case).

    `plain`: keep the house and region columns out of SQLite's index choice (see _plain_columns).
    """
    if actor.role is Role.ADMIN:
        return [false()]
    if actor.role is Role.MEDIATOR:
        return [Case.id.in_(cases_of_mediator_user(actor.id))]
    if actor.scope_level is ScopeLevel.HOUSE:
        return [_column(Case.house_id, plain) == actor.house_id]
    if actor.scope_level is ScopeLevel.REGION:
        return [_column(Case.region_id, plain) == actor.region_id]
    return []


def search_condition(query: str, *, many: bool = False, scope: Scope = ()):
    """Match a case number prefix, or every word of the query as a name prefix (case-folded; case_search.py).

    `many`: the search matches more than a page's count cap. SQLite then walks the list's order index and
    probes the matches (a few hundred entries to fill a page) instead of fetching every match and sorting
    them (54,000 rows for a common surname on 1M cases: 300 ms; bench/RESULTS.md).
    `scope`: the search's scope (case_search.search_scope), ANDed inside the search index; on PostgreSQL it stands
    for the scope conditions, on SQLite it narrows the matches the conditions probe.
    """
    if is_number_search(query):
        return number_condition(query)
    terms = search_words(query)
    if not terms:
        return None
    if db.engine.dialect.name == "postgresql":
        return postgres_words_condition(terms, scope)
    return _column(Case.id, many).in_(sqlite_matches(terms, scope))


def _ids_drive(actor: Actor) -> bool:
    """True when the scope is a short list of ids that should drive the query (a mediator's list on SQLite).

    A mediator's cases are a few hundred to a few thousand ids reached through case_assignment. SQLite,
    without statistics (the app never runs ANALYZE), prefers any index on a filtered column and would
    walk, say, the 950,000 closed cases of ix_case_state_received probing the id list (200 ms on 1M
    cases); PostgreSQL's statistics already make the id list drive.
    """
    return actor.role is Role.MEDIATOR and db.engine.dialect.name == "sqlite"


def _plain_columns(actor: Actor, flt: CaseFilter, many: bool) -> bool:
    """True when, on SQLite, no index of a filtered or sorted column may drive: something narrower does.

    A mediator's id list (_ids_drive, or the mediator filter), or a case number prefix matching fewer than
    COUNT_CAP cases: its range on the unique number index reads those few, where walking a house's or region's
    date index probing each number read the whole scope (a region coordinator's '75-2025-01': 1.4-1.9 s on 1M
    cases, bench/RESULTS.md).
    """
    if _ids_drive(actor):
        return True
    if db.engine.dialect.name != "sqlite":
        return False
    # A mediator filter is the same short id list as a mediator's own scope (a region coordinator's filter on
    # its busiest mediator read the region's 76,000 cases to find 252: 27 ms of SQL to about 1 ms).
    if flt.mediator_id is not None:
        return True
    return not many and bool(flt.query) and is_number_search(flt.query)


def _column(attribute, plain: bool):
    """The column, or on SQLite the same value behind a unary plus, which keeps it out of index choices."""
    if not plain or db.engine.dialect.name != "sqlite":
        return attribute
    return literal_column(f'+"case".{attribute.key}', type_=attribute.type)


def filter_conditions(actor: Actor, flt: CaseFilter, today: date, *, many: bool = False) -> list:
    """Scope plus the user's filters (`many`: the search matches more than COUNT_CAP, see search_condition)."""
    plain = _plain_columns(actor, flt, many)
    scope = search_scope(actor, flt)
    # On PostgreSQL the search's scope lexemes stand for the scope and the house and region filters.
    lexemes = bool(scope) and db.engine.dialect.name == "postgresql"
    if lexemes:
        conditions = []
    elif flt.house_id is not None and actor.scope_level is ScopeLevel.REGION and actor.role is not Role.MEDIATOR:
        # The house decides the region: the scope becomes a one-time check that the house is the region's, and
        # the house's own indexes answer alone (with the region's column too, PostgreSQL read every row).
        conditions = [literal(flt.house_id).in_(
            select(FriendshipHouse.id).where(FriendshipHouse.region_id == actor.region_id).scalar_subquery())]
    else:
        conditions = scope_conditions(actor, plain=plain)
    for attribute, value in ((Case.state, flt.state), (Case.region_id, flt.region_id), (Case.house_id, flt.house_id),
                             (Case.category, flt.category), (Case.tension, flt.tension)):
        if value is not None and not (lexemes and attribute in (Case.region_id, Case.house_id)):
            conditions.append(_column(attribute, plain) == value)
    if flt.mediator_id is not None:
        conditions.append(Case.id.in_(select(CaseAssignment.case_id).where(
            CaseAssignment.mediator_id == flt.mediator_id, CaseAssignment.status.in_(WORKING_STATUSES))))
    # A deadline exists once the contract is signed; it keeps running while a new mediator is found.
    # Open states listed (not "!= closed") so ix_case_state_deadline reads only open cases' deadlines.
    state, deadline, received = (_column(c, plain) for c in (Case.state, Case.deadline, Case.received_on))
    if flt.due == "overdue":
        conditions += [is_open(state), deadline < today]
    elif flt.due == "week":
        conditions += [is_open(state), deadline >= today, deadline <= today + timedelta(days=7)]
    if flt.received_from:
        conditions.append(received >= flt.received_from)
    if flt.received_to:
        conditions.append(received <= flt.received_to)
    if flt.query:
        condition = search_condition(flt.query, many=many, scope=scope)
        conditions.append(condition if condition is not None else false())
    if flt.sort == "deadline":
        conditions.append(deadline.is_not(None))
    return conditions


def is_open(state):
    """`state IN (open states)` with the values written into the SQL, as ix_case_open_received's predicate is:
    SQLite uses a partial index only for the same term, and PostgreSQL cannot prove it from bound parameters
    once a statement is prepared."""
    return state.in_(bindparam("open_states", list(OPEN_STATE_VALUES), expanding=True, literal_execute=True))


def encode_cursor(sort: str, value: date, case_id: int) -> str:
    """An opaque cursor: the sort key and id of the last row shown."""
    return base64.urlsafe_b64encode(f"{sort}|{value.isoformat()}|{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> tuple[date, int] | None:
    """Read a cursor; a malformed or foreign one is ignored (the list starts from the top)."""
    if not cursor or len(cursor) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value, case_id = raw.split("|")
        if kind != sort or not case_id.isdigit() or not 0 < int(case_id) < 2**31:
            return None
        return date.fromisoformat(value), int(case_id)
    except (ValueError, UnicodeDecodeError):
        return None


def list_cases(actor: Actor, flt: CaseFilter, *, today: date, cursor: str | None = None,
               page_size: int = PAGE_SIZE, exact_count: bool = False) -> CasePage:
    """One page of the actor's cases, newest first (or soonest deadline first)."""
    conditions = filter_conditions(actor, flt, today)
    if _counted_by_the_page(actor, flt):
        return _page_with_count(flt, conditions, cursor, page_size)
    counted = None if exact_count else count_without_the_cases(actor, flt, COUNT_CAP)
    total, capped = counted or count_cases(conditions, exact=exact_count)
    many = bool(flt.query) and total >= COUNT_CAP and not _ids_drive(actor)
    # A due-date filter with fewer than COUNT_CAP matches: the (scope, state, deadline) index reads them and the
    # page sorts them, instead of walking the scope's date index testing row after row until a page is full (a
    # region's 198 overdue cases among its 60,000 closed ones: 7-10 ms of SQL to under 1 ms on SQLite, 11 ms to
    # 1 on PostgreSQL, bench/RESULTS.md). Only there: for other filters the walk finds a page sooner than an
    # index covering only some of the filters reads every match (registered critical cases: 9 -> 21 ms on
    # SQLite), and for a search it read the whole scope.
    few = flt.due is not None and not capped and total < COUNT_CAP and not flt.query
    if many:
        conditions = filter_conditions(actor, flt, today, many=True)
    elif (few or (flt.query and total < COUNT_CAP)) and db.engine.dialect.name == "postgresql":
        # At most COUNT_CAP matches: the page takes them from the count's own query (its LIMIT keeps the planner
        # from merging it) and sorts them. Left to itself the planner could walk the date index testing each
        # row (a rare pair of common names: 216,000 rows, 1.3 s on 1M cases).
        conditions = [Case.id.in_(select(Case.id).where(*conditions).limit(COUNT_CAP + 1).correlate(None))]
    plain = _plain_columns(actor, flt, many) or few
    key = _column(Case.deadline if flt.sort == "deadline" else Case.received_on, plain)
    query = select(*_LIST_COLUMNS).join(FriendshipHouse, FriendshipHouse.id == Case.house_id).where(*conditions)
    if _walks_open_cases(actor, flt, few, many):
        query = query.with_hint(Case, "INDEXED BY ix_case_open_received", "sqlite")
    query = _keyset(query, key, Case.id, flt.sort, cursor, page_size)
    return _page(db.session.execute(query).all(), flt.sort, page_size, total, capped)


_LIST_COLUMNS = (Case.id, Case.number, Case.received_on, Case.category, Case.state, Case.tension, Case.deadline,
                 Case.house_id, FriendshipHouse.name_kk, FriendshipHouse.name_ru, FriendshipHouse.name_en)


def _keyset(query, key, id_column, sort: str, cursor: str | None, page_size: int):
    """The query ordered by (key, id), soonest deadline first or newest first, from after the cursor, one row
    more than a page (it says whether there is a next page)."""
    by_deadline = sort == "deadline"
    query = query.order_by(*((key.asc(), id_column.asc()) if by_deadline else (key.desc(), id_column.desc())))
    position = decode_cursor(cursor, sort)
    if position is not None:
        query = query.where(tuple_(key, id_column) > position if by_deadline else tuple_(key, id_column) < position)
    return query.limit(page_size + 1)


def _page(found: list, sort: str, page_size: int, total: int, capped: bool) -> CasePage:
    """The page from up to page_size + 1 rows (the extra one says there is a next page)."""
    more = len(found) > page_size
    found = found[:page_size]
    parties = _party_names([row.id for row in found])
    rows = [CaseRow(id=r.id, number=r.number, received_on=r.received_on, category=r.category, state=r.state,
                    tension=r.tension, deadline=r.deadline, house_id=r.house_id, parties=parties.get(r.id, ()),
                    house_names=(r.name_kk, r.name_ru, r.name_en))
            for r in found]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(sort, last.deadline if sort == "deadline" else last.received_on, last.id)
    return CasePage(rows=rows, next_cursor=next_cursor, total=total, total_capped=capped)


def _counted_by_the_page(actor: Actor, flt: CaseFilter) -> bool:
    """True for a mediator's own list, searched or not: the page itself can count the matches.

    Their cases are reached through their assignments (1,178 for the busiest of 1,000,000 cases), and every
    one is read and sorted for any page, so a window count over the same rows is free, where a separate count
    read them all again (4 ms of a 12 ms page of SQL on PostgreSQL, 3 ms on SQLite; bench/RESULTS.md). A search
    gathers its name matches once instead of twice ('бекмұханов': 54,719 rowids from case_fts, 10 ms each time).
    """
    return actor.role is Role.MEDIATOR


def _page_with_count(flt: CaseFilter, conditions: list, cursor: str | None, page_size: int) -> CasePage:
    """One page and the exact number of matches, in one statement (see _counted_by_the_page)."""
    matches = (select(*_LIST_COLUMNS, func.count().over().label("total"))
               .join(FriendshipHouse, FriendshipHouse.id == Case.house_id).where(*conditions).subquery())
    key = matches.c.deadline if flt.sort == "deadline" else matches.c.received_on
    found = db.session.execute(_keyset(select(matches), key, matches.c.id, flt.sort, cursor, page_size)).all()
    if found:
        total = found[0].total
    elif decode_cursor(cursor, flt.sort) is None:  # the first page is empty: nothing matches
        total = 0
    else:  # past the last page (an old cursor): the window saw no row, so count apart
        total, _ = count_cases(conditions, exact=True)
    return _page(found, flt.sort, page_size, total, False)


def _walks_open_cases(actor: Actor, flt: CaseFilter, few: bool, many: bool) -> bool:
    """True when, on SQLite, a due-date list newest first must walk the open cases' index (see below).

    More than COUNT_CAP due cases (the republic's 2,590 overdue of 1,000,000): without statistics SQLite read them
    all through (state, deadline) and sorted them (9 ms of SQL); the open cases in date order hold a page of them
    within a few hundred entries. The index's predicate is the filter's own term (is_open), so it applies.
    """
    return (db.engine.dialect.name == "sqlite" and flt.due is not None and not few and flt.sort == "received"
            and not _plain_columns(actor, flt, many))


def count_cases(conditions: list, *, exact: bool = False) -> tuple[int, bool]:
    """Count matching cases, stopping at COUNT_CAP unless an exact figure is asked for."""
    inner = select(Case.id).where(*conditions)
    if not exact:
        inner = inner.limit(COUNT_CAP + 1)
    total = db.session.scalar(select(func.count()).select_from(inner.subquery()))
    if not exact and total > COUNT_CAP:
        return COUNT_CAP, True
    return total, False


def _party_names(case_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not case_ids:
        return {}
    names: dict[int, list[str]] = {}
    for case_id, name in db.session.execute(
            select(Party.case_id, Party.full_name).where(Party.case_id.in_(case_ids), Party.position < 3)
            .order_by(Party.case_id, Party.position)):
        names.setdefault(case_id, []).append(name)
    return {k: tuple(v) for k, v in names.items()}


