"""Random input to the case forms (intake, the action forms, edit, search, list filters): never a 500,
and a refused form writes nothing.

The app fixture is per test, so the examples of a test share one database (state builds up: duplicates,
closed cases, moved versions), hence the suppressed health check. No example database on disk.
"""

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mediation.domain.case_fields import CaseCategory, Channel, TensionLevel, TensionSignal, minimum_tension
from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.domain.identity import is_valid_iin_bin
from mediation.extensions import db
from mediation.models import Case, CaseEvent, Party
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests import factories
from tests.conftest import csrf_token, login

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- strategies -----------------------------------------------------------------------------------------------

NASTY = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\u200b", "\u200e", "\u200f", "\u202e", "\u2066",
         "\u2028", "\ufeff", "\ufffd", "\U0010ffff", "\t", "\n", "\r\n", " ", "\xa0", "ß", "İ", "ı", "\u0301", "😀",
         "<", ">", "&", '"', "'", "%", "\\", "=", "+", "-", "@", "{{", "}}", "%00"]
RTL = ["שלום", "مرحبا بالعالم", "قازاقستان", "ئۇيغۇر", "\u202egnp.exe", "עברית ו-English"]
WORDS = ["Әлия Нұрова", "ӘБІШҰЛЫ Нұрлан", "Ли Виктор", "None", "null", "true", "0", "-1", "[]",
         "<script>alert(1)</script>", "' OR '1'='1' --", "{{7*7}}", '=HYPERLINK("http://x")', "75-2026-00001"]

any_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.lists(st.sampled_from(NASTY + RTL + WORDS), max_size=6).map("".join),
    # huge strings: a short chunk repeated up to ~25,000 characters
    st.builds(lambda chunk, n: chunk * n, st.sampled_from(["a", "Ә", "😀", "\x00", "ש ", "1"]),
              st.integers(150, 25_000)),
)
any_int = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.sampled_from(["", "0", "-1", "00", "1.5", "1e3", "0x10", " 7 ", "+3", "1_0", "٣", "²", "NaN", "Infinity",
                     "9" * 5000, "2147483648", "None", "null", "true"]),
)
any_date = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(["", "2025-02-30", "2025-13-01", "31.12.2024", "yesterday", "0000-00-00", "2025-1-1",
                     "+002025-01-01", "٢٠٢٥-٠١-٠١", "2025-01-01T10:00", "2025-01-01\x00"]),
)
scalar = st.one_of(any_text, any_int, any_date)
junk = st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))  # a list: the key is sent several times
MISSING = object()


def enum_values(enum) -> st.SearchStrategy:
    return st.sampled_from([member.value for member in enum])


def near_today(before: int = 400, after: int = 3) -> st.SearchStrategy:
    return st.integers(-before, after).map(lambda n: (cf.today() + timedelta(days=n)).isoformat())


@st.composite
def breaking(draw, plausible: dict, *, max_broken: int = 3) -> tuple[dict, frozenset]:
    """A body of plausible values with up to `max_broken` of them replaced by junk or left out, and the
    names of the fields that were broken."""
    body = {key: draw(strategy) for key, strategy in plausible.items()}
    spoiled = draw(st.sets(st.sampled_from(sorted(plausible)), max_size=max_broken))
    for key in spoiled:
        body[key] = draw(st.one_of(junk, st.just(MISSING)))
    return {k: v for k, v in body.items() if v is not MISSING}, frozenset(spoiled)


def broken(plausible: dict, *, max_broken: int = 3) -> st.SearchStrategy:
    """Like breaking(), the body only."""
    return breaking(plausible, max_broken=max_broken).map(lambda pair: pair[0])


clean_names = st.one_of(
    st.sampled_from(["Әлия Нұрова", "ӘБІШҰЛЫ Нұрлан", "Ли Виктор", "Иван Петров", "ТОО «Береке»", "Ким Ольга",
                     "مرحبا بالعالم", "ئۇيغۇر", "עברית ו-English", "O'Brien-Smith", "Ян 😀"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn"]), min_size=1,
            max_size=40).filter(str.strip))
names = st.one_of(clean_names, st.sampled_from(RTL + WORDS))
past = near_today(400, 0)

# Every value here is valid on its own: a body made only of them must be registered.
VALID_PARTY = {
    "kind": st.sampled_from(["person", "person", "organisation"]),
    "role": st.sampled_from(["applicant", "respondent", "other"]),
    "full_name": clean_names,
    "iin_bin": st.one_of(st.just(""), st.builds(lambda: cf.iin()),
                         st.builds(lambda: " ".join(re.findall(".{1,4}", cf.iin())))),
    "phone": st.sampled_from(["", "+77011234567", "8 701 123 45 67", "87011234567", "+7 (727) 250-00-00"]),
    "email": st.sampled_from(["", "a@example.kz", "ÄLIYA@mail.kz"]),
    "preferred_language": st.sampled_from(["", "kk", "ru", "uz", "ug", "ko"]),
    "ethnicity": st.sampled_from([MISSING, MISSING, "ұйғыр"]),
    "ethnicity_consent_on": near_today(30, 0),
    "consent_mediation_on": st.one_of(st.just(MISSING), near_today(30, 0)),
    "consent_mediation_method": st.sampled_from(["", "written", "oral", "electronic"]),
}
VALID_INTAKE = {
    "house_id": st.just("@republican"),
    "received_on": past,
    "channel": enum_values(Channel),
    "category": enum_values(CaseCategory),
    "tension": enum_values(TensionLevel),
    "subject": st.one_of(clean_names, st.just("Жер учаскесінің шекарасы туралы дау"), st.just("ә" * 1000)),
    "description": st.one_of(st.just(""), clean_names, st.just("Құпия\r\nсипаттама\t" * 500)),
    "languages": st.lists(st.sampled_from(["kk", "ru", "uz"]), max_size=3),
    "signals": st.lists(enum_values(TensionSignal), max_size=3),
    "interpreter_needed": st.sampled_from([MISSING, "y"]),
    "confirm_duplicates": st.just("1"),
}
# Values that are plausible but often wrong: another region's house, a broken ИИН, a minor organisation...
ODD_PARTY = {**VALID_PARTY,
             "iin_bin": st.one_of(VALID_PARTY["iin_bin"], st.builds(lambda: cf.iin()[:11] + "0"),
                                  st.sampled_from(["123", "85041230012A", "000000000000", "٨٥٠٤١٢٣٠٠١٢٣"])),
             "phone": st.one_of(VALID_PARTY["phone"], st.sampled_from(["12", "phone", "+1 202 555 0100"])),
             "email": st.sampled_from(["", "a@example.kz", "not-an-email"]),
             "full_name": names,
             "is_minor": st.sampled_from([MISSING, MISSING, "y"]),
             "ethnicity_consent_on": st.one_of(st.just(MISSING), near_today(30, 2))}
ODD_INTAKE = {**VALID_INTAKE,
              "house_id": st.sampled_from(["@republican", "@republican", "@semey", "999999", "0", "-1"]),
              "received_on": near_today(400, 3),
              "subject": st.one_of(names, st.just("ә" * 1001)),
              "description": st.one_of(st.just(""), any_text),
              "confirm_duplicates": st.sampled_from([MISSING, "1", "0"]),
              "add_party": st.sampled_from([MISSING] * 9 + ["Add a party"])}
# How the parties' indices are written: as a browser does, with gaps, huge, or in Arabic-Indic digits.
LAYOUTS = {"normal": str, "gap": lambda i: str(i * 7), "huge": lambda i: str(10**20 + i),
           "unicode": lambda i: "٣" if i == 0 else str(i)}


def _with_parties(top: dict, party: dict, count: int) -> dict:
    fields = dict(top)
    for position in range(count):
        fields.update({f"parties-{position}-{key}": value for key, value in party.items()})
    return fields


def valid_intake() -> st.SearchStrategy:
    """A valid appeal with two to four parties, sometimes with one field broken (and which one)."""
    return st.integers(2, 4).flatmap(
        lambda count: breaking(_with_parties(VALID_INTAKE, VALID_PARTY, count), max_broken=1))


@st.composite
def odd_intake(draw) -> dict:
    """Odd appeals: odd values, up to three fields broken, odd party lists, extra fields."""
    count = draw(st.sampled_from([2, 2, 2, 3, 0, 1, 5]))
    body = draw(broken(_with_parties(ODD_INTAKE, ODD_PARTY, count)))
    layout = draw(st.sampled_from(["normal"] * 4 + sorted(LAYOUTS)))
    if layout != "normal":
        body = {re.sub(r"^parties-(\d+)-", lambda m: f"parties-{LAYOUTS[layout](int(m.group(1)))}-", k): v
                for k, v in body.items()}
    extra = draw(st.dictionaries(st.sampled_from(["id", "number", "state", "version", "region_id", "created_by_id",
                                                  "search_text", "parties-0-case_id", "submit"]), junk,
                                 max_size=2))
    return {**extra, **body}


# --- helpers ------------------------------------------------------------------------------------------------


def resolve(body: dict, org) -> dict:
    ids = {"@republican": str(org.republican_house.id), "@semey": str(org.semey_house.id)}

    def one(v):
        return ids.get(v, v) if isinstance(v, str) else v

    return {k: [one(x) for x in v] if isinstance(v, list) else one(v) for k, v in body.items()}


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" and ch not in "\t\r\n" for ch in value)


def case_ids() -> set[int]:
    ids = set(db.session.scalars(select(Case.id)))
    db.session.rollback()
    return ids


def snapshot(case_id: int) -> dict:
    """Every column of the case plus its number of events and parties, read fresh."""
    case = db.session.get(Case, case_id)
    row = {column.key: getattr(case, column.key) for column in Case.__table__.columns}
    row["events"] = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    row["parties"] = db.session.scalar(select(func.count()).where(Party.case_id == case_id))
    db.session.rollback()
    return row


@pytest.fixture
def coordinator(client, org):
    """A coordinator of the Republican house, signed in; one CSRF token serves every example."""
    user = factories.make_user("coordinator", org=org, house=org.republican_house)
    db.session.commit()
    assert login(client, user.username).status_code == 302
    return user


# --- intake ---------------------------------------------------------------------------------------------------


def _post_intake(client, org, body: dict):
    token = csrf_token(client, "/cases/new")
    before, counts = case_ids(), cf.row_counts()
    response = client.post("/cases/new", data={**resolve(body, org), "csrf_token": token})
    event(f"status {response.status_code}")
    assert response.status_code in (200, 302, 422), response.status_code
    created = case_ids() - before
    if response.status_code != 302:
        # refused (or shown again with one more party): nothing at all was written
        assert created == set()
        assert cf.row_counts() == counts
    return response, created


def _check_registered(org, response, created) -> None:
    """A registered case obeys the rules, whatever was sent."""
    (case_id,) = created
    case = db.session.get(Case, case_id)
    assert response.location == f"/cases/{case_id}"
    assert case.house_id == org.republican_house.id and case.region_id == org.almaty.id
    assert case.received_on <= cf.today()
    assert case.number == f"75-{case.received_on.year}-{case.sequence:05d}"
    assert 0 < len(case.subject) <= 1000 and case.subject == case.subject.strip()
    assert not has_control_characters(case.subject) and not has_control_characters(case.description)
    assert case.tension == max(case.tension, minimum_tension(case.tension_signals), key=list(TensionLevel).index)
    assert len(case.parties) >= 2
    for p in case.parties:
        assert p.full_name.strip() and len(p.full_name) <= 300 and not has_control_characters(p.full_name)
        assert p.iin_bin is None or is_valid_iin_bin(p.iin_bin)
        assert p.phone is None or re.fullmatch(r"\+\d{8,15}", p.phone)
        assert p.ethnicity is None or p.ethnicity_consent_on is not None
        assert not (p.is_minor and p.kind.value == "organisation")
    db.session.rollback()


@settings(FUZZ, max_examples=30)
@given(drawn=valid_intake())
def test_a_valid_appeal_is_registered_and_one_broken_field_writes_nothing(client, org, coordinator, drawn):
    body, spoiled = drawn
    response, created = _post_intake(client, org, body)
    if not spoiled:
        assert response.status_code == 302, sorted(re.findall(r'is-invalid[^>]*name="([^"]+)"',
                                                                response.get_data(as_text=True)))
    if response.status_code == 302:
        _check_registered(org, response, created)


@settings(FUZZ, max_examples=30)
@given(body=odd_intake())
def test_odd_intake_never_fails_and_a_refusal_writes_nothing(client, org, coordinator, body):
    response, created = _post_intake(client, org, body)
    if response.status_code == 302:
        _check_registered(org, response, created)


# --- the action forms -------------------------------------------------------------------------------------------

version_choice = st.sampled_from(["current"] * 5 + ["old", "junk", "missing"])
answers = st.sampled_from(["", "no", "no", "no", "yes"])
mediator_ids = st.sampled_from(["@lead", "@other", "@outsider", "", "999999", "0"])
note = st.one_of(st.just(""), clean_names)
ACTIONS = {
    "screening": {"third_party_interests": answers, "party_incapable": answers, "state_body_party": answers,
                  "corruption_or_state_service_crime": answers, "note": note, "referred_to": note},
    "suggestions": {"lead_id": mediator_ids, "co_id": mediator_ids, "note": note,
                    "override_reason": st.one_of(st.just("Тілі сәйкес"), note)},
    "release": {"mediator_id": mediator_ids, "status": st.sampled_from(["declined", "recused", "objected"]),
                "reason": st.one_of(st.just("Себеп"), clean_names)},
    "proposal": {"sent_on": near_today(19, 1), "accepted_on": near_today(19, 1)},
    "contract": {"signed_on": near_today(19, 1)},
    "extension": {"days": st.integers(-2, 32).map(str), "agreed_on": near_today(19, 2),
                  "reason": st.one_of(st.just("Тараптар келісті"), clean_names),
                  "parties_consent": st.sampled_from([MISSING, "y", "y"])},
    "close": {"outcome": enum_values(Outcome), "ground": st.one_of(st.just(""), enum_values(TerminationGround)),
              "effective_on": near_today(19, 1), "reason": note, "referred_to": note},
}
STAGES = ["registered", "screening", "awaiting_assignment", "assigned", "in_mediation"]


@pytest.fixture
def cases(org, coordinator):
    """One case in each open state, plus the mediators the assign form may name."""
    lead = cf.make_mediator(org.almaty, full_name="Ержан Мұқанов")
    other = cf.make_mediator(org.almaty, full_name="Басқа Медиатор")
    outsider = cf.make_mediator(org.abai, full_name="Семей Медиаторы")
    made = {}
    for stage in STAGES:
        received = cf.today() - timedelta(days=20)
        case = cf.register(coordinator, org.republican_house, received_on=received, now=utcnow(),
                           parties=cf.two_parties(f"Тарап {stage}", f"Қарсы {stage}"))
        if stage != "registered":
            cf.advance(case, stage, coordinator, lead_id=lead.id, signed_on=received + timedelta(days=5),
                       now=utcnow())
        made[stage] = case.id
    db.session.commit()
    return made, {"@lead": str(lead.id), "@other": str(other.id), "@outsider": str(outsider.id)}


@FUZZ
@given(stage=st.sampled_from(STAGES + ["missing"]), action=st.sampled_from(sorted(ACTIONS)), data=st.data(),
       version=version_choice)
def test_action_forms_never_fail_and_a_refusal_changes_nothing(client, cases, stage, action, data, version):
    made, mediators = cases
    case_id = made.get(stage, 999_999)
    fields = {k: mediators.get(v, v) if isinstance(v, str) else v
              for k, v in data.draw(broken(ACTIONS[action],
                                           max_broken=data.draw(st.sampled_from([0, 0, 1, 2])))).items()}
    token = csrf_token(client, "/cases/")
    before = snapshot(case_id) if stage != "missing" else None
    versions = {"current": str(before["version"]) if before else "1",
                "old": str(before["version"] - 1) if before else "0", "junk": data.draw(any_int)}
    if version != "missing":
        fields["version"] = versions[version]
    response = client.post(f"/cases/{case_id}/{action}", data={**fields, "csrf_token": token})
    event(f"{action} {response.status_code}")
    if stage == "missing":
        assert response.status_code == 404
        return
    assert response.status_code in (302, 409, 422), response.status_code
    after = snapshot(case_id)
    if response.status_code != 302 or after == before:
        # refused (or, on the suggestions screen, sent back to the case page): nothing changed
        assert after == before, "a refused action must change nothing"
        return
    # An accepted step moved the version on, left a trace, and kept the case consistent
    assert after["version"] > before["version"] and after["events"] > before["events"]
    state = CaseState(after["state"])
    if after["contract_signed_on"] is not None:
        assert after["deadline"] == after["contract_signed_on"] + timedelta(days=30 + after["extension_days"])
    assert 0 <= after["extension_days"] <= 30
    if state is CaseState.CLOSED:
        assert after["outcome"] is not None
        if after["contract_signed_on"] is not None:
            assert after["termination_ground"] is not None
            assert after["contract_signed_on"] <= after["terminated_on"] <= cf.today()
        else:
            assert after["termination_ground"] is None


# --- edit, search and list filters -----------------------------------------------------------------------------

edit_bodies = broken({
    "version": st.sampled_from(["@current", "@current", "@old"]),
    "category": enum_values(CaseCategory), "channel": enum_values(Channel), "tension": enum_values(TensionLevel),
    "subject": names, "description": st.one_of(st.just(""), clean_names),
    "languages": st.lists(st.sampled_from(["kk", "ru", "uz"]), max_size=3),
    "signals": st.lists(enum_values(TensionSignal), max_size=3),
    "interpreter_needed": st.sampled_from([MISSING, "y"]),
})


@settings(FUZZ, max_examples=30)
@given(body=edit_bodies)
def test_edit_form_never_fails_and_a_refusal_changes_nothing(client, cases, body):
    case_id = cases[0]["awaiting_assignment"]
    token = csrf_token(client, "/cases/")
    before = snapshot(case_id)
    versions = {"@current": str(before["version"]), "@old": str(before["version"] - 1)}
    body = {k: versions.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = client.post(f"/cases/{case_id}/edit", data={**body, "csrf_token": token})
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400, 409, 422), response.status_code
    after = snapshot(case_id)
    if response.status_code != 302:
        assert after == before
        return
    assert after["state"] == before["state"] and after["number"] == before["number"]
    assert not has_control_characters(after["subject"]) and len(after["subject"]) <= 1000


@settings(FUZZ, max_examples=30)
@given(query=st.one_of(any_text, st.sampled_from(["әбішұлы", "ли", "75-", "75-2026-0", '"', "*", "AND", "OR",
                                                  "NEAR(", "a:*", "!", "&", "|", "'", "\\", "_", "%"])),
       args=st.dictionaries(st.sampled_from(["state", "category", "tension", "region", "house", "mediator", "due",
                                             "from", "to", "sort", "cursor", "count"]), scalar, max_size=4))
def test_search_and_filters_never_fail(client, cases, query, args):
    token = csrf_token(client, "/cases/")
    response = client.post("/cases/search", data={"q": query, "csrf_token": token}, query_string=args)
    assert response.status_code == 302, response.status_code
    assert response.location.startswith("/cases/")
    listed = client.get(response.location)
    assert listed.status_code == 200, listed.status_code
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/cases/export.{fmt}", query_string=args).status_code == 200
