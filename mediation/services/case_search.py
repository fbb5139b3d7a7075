"""Case search by number or name, per engine: the words of a query, and the conditions and counts that find them.

SQLite reads its FTS5 table case_fts; PostgreSQL the stored search_terms. Both index each case's region and house
beside its words (search_ddl.py), so a scoped search ANDs its scope inside the search index. The case list
(case_queries.py) combines these with the scope, the filters and the page.
"""

import re
import time

from sqlalchemy import Integer, and_, cast, column, func, text
from sqlalchemy.dialects.postgresql import TSQUERY

from ..domain.roles import Actor, Role, ScopeLevel
from ..domain.text import fold
from ..extensions import db
from ..models import Case
from ..models.search_ddl import PREFIX_CAP, SEARCH_TERMS

# A search's scope: ("r", region id) and ("h", house id) pairs, see search_scope.
Scope = tuple[tuple[str, int], ...]
NUMBER_PATTERN = re.compile(r"^\d{2}(-\d{0,4}(-\d{0,5})?)?$")
FTS_MATCHES = "SELECT rowid FROM case_fts WHERE case_fts MATCH :expression"
FTS_COUNT = "SELECT count(*) FROM (SELECT rowid FROM case_fts WHERE case_fts MATCH :expression LIMIT :cap)"
# A word that ANALYZE's statistics put in this many times the count cap's cases is shown as over the cap without
# counting (_postgres_common_word); the statistics come from a sample of 30,000 rows, and a word in 2% of them (the
# least this asks of a million cases) is sampled 600 times: its frequency is known to within a few per cent.
COMMON_WORD_MARGIN = 20
WORD_STATISTICS_TTL = 600  # seconds a worker keeps them; (auto)ANALYZE refreshes them far less often
# The table as the search path finds it, as every other statement does (to_regclass: NULL, not an error, if absent).
WORD_STATISTICS = """
    SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
    WHERE c.oid = to_regclass('"case"') AND s.attname = 'search_terms' AND NOT s.inherited
"""
# Per database (the test suite serves two from one process): (read at, word -> share of cases, cases).
_word_statistics: dict[str, tuple[float, dict[str, float], float]] = {}


def is_number_search(query: str) -> bool:
    """True when the query is a case number or its prefix ("75-2025-0")."""
    return NUMBER_PATTERN.match(query.strip()) is not None


def search_words(query: str) -> list[str]:
    """The words of a name search, case-folded (at most six)."""
    return re.findall(r"\w+", fold(query))[:6]


def number_condition(query: str):
    """Cases whose number starts with the query.

    Also as a range, which the unique index of numbers serves (LIKE alone read every row: SQLite's LIKE folds
    case, PostgreSQL's btree serves LIKE only under the "C" collation); numbers are ASCII digits and dashes, so
    under SQLite's and C.UTF-8's byte order the range holds every match. The range drives even when it matches
    many: numbers sort apart from dates.
    """
    query = query.strip()
    upper = query[:-1] + chr(ord(query[-1]) + 1)
    return and_(Case.number >= query, Case.number < upper, Case.number.startswith(query))


def postgres_words_condition(terms: list[str], scope: Scope):
    """PostgreSQL: cases with a word starting with each term, inside the scope (see search_scope).

    search_terms holds every prefix of every word, so each term is an exact lexeme; plainto_tsquery parses the
    terms as to_tsvector parsed the names. The scope lexemes ('~r7') are cast, not parsed ('~' is no word
    character).
    """
    words = func.plainto_tsquery("simple", " ".join(term[:PREFIX_CAP] for term in terms))
    if scope:
        words = words.op("&&")(cast(" & ".join(f"'~{kind}{value}'" for kind, value in scope), TSQUERY))
    # Only the first PREFIX_CAP characters of a word are stored: a longer term is also checked in the row's text
    # (on the few rows the index found).
    longer = [Case.search_text.contains(term, autoescape=True) for term in terms if len(term) > PREFIX_CAP]
    return and_(SEARCH_TERMS.op("@@")(words), *longer)


def sqlite_matches(terms: list[str], scope: Scope = ()):
    """SQLite: the rowids of case_fts whose words start with every term, inside the scope, as a subquery."""
    return text(FTS_MATCHES).bindparams(expression=_fts_expression(terms, scope)).columns(column("rowid", Integer))


def _fts_expression(terms: list[str], scope: Scope = ()) -> str:
    """An FTS5 query: every word as a prefix of a name, and the scope tokens ('r7', 'h12') of search_scope.

    Words hold only word characters, so quoting them is enough; naming the column keeps them off the scope tokens.
    """
    return " AND ".join([*(f'search_text : "{term}"*' for term in terms),
                         *(f"search_scope : {kind}{value}" for kind, value in scope)])


def search_scope(actor: Actor, flt) -> Scope:
    """The scope of a name search as the search indexes carry it: (kind, id) pairs, or () where none applies.

    The pairs are ("h", house id) and ("r", region id) for the actor's house or region and the house or region
    filter (a case_queries.CaseFilter); none applies to a mediator (their cases are no region or house) or to a
    number search (it reads the number index).

    On PostgreSQL they stand for those conditions: with the plain columns as well the planner ANDed the region's
    76,000-entry bitmap into every search (or, the column kept out of the index, misjudged the matches and sorted
    thousands of them). SQLite keeps the conditions too: a page of a common name walks the region's date index.
    """
    if (actor.role in (Role.MEDIATOR, Role.ADMIN) or not flt.query or is_number_search(flt.query)
            or not search_words(flt.query)):
        return ()
    wanted = []
    if actor.scope_level is ScopeLevel.HOUSE:
        wanted.append(("h", actor.house_id))
    elif actor.scope_level is ScopeLevel.REGION:
        wanted.append(("r", actor.region_id))
    wanted += [("r", flt.region_id)] if flt.region_id is not None else []
    wanted += [("h", flt.house_id)] if flt.house_id is not None else []
    return tuple(dict.fromkeys((kind, int(value)) for kind, value in wanted))


def _narrowed_only_by_scope(flt) -> bool:
    """True when no filter but region and house narrows a search (they are its scope, see search_scope)."""
    narrowing = (flt.state, flt.category, flt.tension, flt.mediator_id, flt.due, flt.received_from, flt.received_to)
    return all(value is None for value in narrowing)


def _counted_by_the_search_index(actor: Actor, flt) -> bool:
    """True on SQLite for a name search narrowed by nothing but its scope (see search_scope).

    The scope is the actor's region or house and any region or house filter. Every case has its row in case_fts,
    scope tokens included, so the FTS5 table alone can count the matches and stop at the cap; through
    `case.id IN (matches)` SQLite first gathered every match ('ас': 127,000 rowids, 26 ms of a page's SQL) and,
    in a region, probed its 76,000 cases against them.
    """
    if db.engine.dialect.name != "sqlite" or actor.role not in (Role.MANAGER, Role.COORDINATOR):
        return False
    if not flt.query or is_number_search(flt.query):
        return False
    return _narrowed_only_by_scope(flt) and flt.sort == "received"


def _postgres_common_word(actor: Actor, flt, cap: int) -> bool:
    """True on PostgreSQL for a republic-wide search for one word that the table's statistics put in more than
    COMMON_WORD_MARGIN times `cap` cases: it is over the cap, and counting it would scan the table.

    Counting such a word to the cap reads the table in its physical order until the cap's matches are found
    ('әбішұлы', in 9% of 1,000,000 cases: 10,700 rows, 20-45 ms); its GIN entries cannot be counted without the
    rows. Only for one word with no other filter: the statistics know each word's share of the cases, not how
    two words or a word and a region go together (surnames cluster by region).
    """
    if (db.engine.dialect.name != "postgresql" or actor.role is not Role.MANAGER
            or actor.scope_level is not ScopeLevel.REPUBLIC):
        return False
    # Sorted by deadline, the list holds only cases with one: a condition the statistics do not know
    if (not flt.query or is_number_search(flt.query) or flt.region_id is not None or flt.house_id is not None
            or not _narrowed_only_by_scope(flt) or flt.sort != "received"):
        return False
    terms = search_words(flt.query)
    # Letters only, lower case, within the stored prefix: plainto_tsquery makes the word itself the lexeme
    if len(terms) != 1 or not terms[0].isalpha() or terms[0] != terms[0].lower() or len(terms[0]) > PREFIX_CAP:
        return False
    shares, cases = _search_word_statistics()
    return shares.get(terms[0], 0.0) * cases > COMMON_WORD_MARGIN * cap


def _search_word_statistics() -> tuple[dict[str, float], float]:
    """The most common words of search_terms with their share of cases, and the number of cases (pg_stats)."""
    key = str(db.engine.url)
    kept = _word_statistics.get(key)
    if kept is not None and time.monotonic() - kept[0] < WORD_STATISTICS_TTL:
        return kept[1], kept[2]
    row = db.session.execute(text(WORD_STATISTICS)).first()
    shares: dict[str, float] = {}
    cases = 0.0
    if row is not None and row[0] is not None and row[2] > 0:
        words, frequencies, cases = row
        # most_common_elem_freqs has one share per word, then summary values (min, max; for arrays the null share)
        shares = dict(zip(words, frequencies[:len(words)], strict=True))
    _word_statistics[key] = (time.monotonic(), shares, float(cases))
    return shares, float(cases)


def forget_word_statistics() -> None:
    """Drop the kept statistics (tests; after an ANALYZE that should count at once)."""
    _word_statistics.clear()


def count_without_the_cases(actor: Actor, flt, cap: int) -> tuple[int, bool] | None:
    """A name search's count up to `cap` (and whether it stopped there) where the search index or the table's
    statistics give it without reading the cases; None where the cases must be counted."""
    if _counted_by_the_search_index(actor, flt):
        return count_search_matches(flt.query, cap, search_scope(actor, flt))
    if _postgres_common_word(actor, flt, cap):
        return cap, True
    return None


def count_search_matches(query: str, cap: int, scope: Scope = ()) -> tuple[int, bool]:
    """How many cases in the scope have words starting with every query word, from case_fts alone, up to `cap`.

    Returns the count and whether it stopped at the cap.
    """
    terms = search_words(query)
    if not terms:
        return 0, False
    total = db.session.scalar(text(FTS_COUNT), {"expression": _fts_expression(terms, scope), "cap": cap + 1})
    return (cap, True) if total > cap else (total, False)
