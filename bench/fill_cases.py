"""Fill a database with the real schema, the demo organisation and 1,000,000 realistic cases, quickly.

    python bench/fill_cases.py /tmp/bench_cases.db                       # SQLite file (created)
    python bench/fill_cases.py postgresql://postgres@127.0.0.1/bench_cases

The schema comes from the migrations (`flask db upgrade`), so the FTS5 table and its triggers (SQLite) or
the GIN index (PostgreSQL) are the real ones. The organisation, mediators and demo logins come from
mediation.seed.seed_demo(case_count=0). The cases are generated here, in received-date order (ids grow with
time, as in production), with numbers KATO2-YYYY-NNNNN per region and year, case_number_counter filled,
2-4 parties each, a timeline of events, mediator assignments, and search_text exactly as the app computes
it (case_intake.search_text_of). Bulk load: secondary indexes, foreign keys and the FTS triggers are dropped
first and rebuilt afterwards; executemany in one transaction on SQLite, COPY on PostgreSQL.
"""

import argparse
import json
import random
import sys
import time
from bisect import bisect
from datetime import date, timedelta
from importlib import resources
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fill_loaders import PostgresLoader, SqliteLoader  # noqa: E402

from config import TestingConfig  # noqa: E402
from mediation.domain.case_fields import (  # noqa: E402
    LANGUAGES,
    CaseCategory,
    Channel,
    TensionLevel,
    TensionSignal,
    minimum_tension,
    raise_to,
)
from mediation.domain.eligibility import ExclusionQuestion  # noqa: E402
from mediation.domain.identity import FIRST_WEIGHTS, SECOND_WEIGHTS, check_digit, make_iin  # noqa: E402
from mediation.domain.text import fold  # noqa: E402
from mediation.services.case_intake import search_text_of  # noqa: E402

PASSWORD = "bench-pass-2026"

# Population (thousands, 2024) per region, KATO2 code: cases are spread in proportion.
POPULATION = {"71": 1400, "75": 2230, "79": 1230, "10": 600, "11": 780, "15": 930, "19": 1520, "23": 700,
              "27": 690, "31": 1220, "33": 700, "35": 1130, "39": 830, "43": 830, "47": 780, "55": 750,
              "59": 530, "61": 2130, "62": 220, "63": 720}
# Communities of the parties: the national mix, shifted per region (Uzbeks in the south, Uyghurs and
# Dungans around Almaty and Zhambyl, Russians, Germans and Ukrainians in the north and east).
COMMUNITY_WEIGHTS = {"kazakh": 62, "russian": 16, "uzbek": 4, "uyghur": 2, "korean": 1.5, "german": 1.5,
                     "tatar": 1.5, "ukrainian": 1.5, "azerbaijani": 1, "dungan": 0.5, "turkish": 0.5}
REGION_SHIFT = {
    "61": {"uzbek": 6}, "79": {"uzbek": 5}, "75": {"uyghur": 3, "korean": 3, "dungan": 2, "russian": 1.5},
    "19": {"uyghur": 5, "dungan": 4, "korean": 2}, "33": {"uyghur": 2}, "31": {"dungan": 6},
    "11": {"russian": 2.5, "german": 3, "ukrainian": 3}, "39": {"russian": 2.5, "german": 3, "ukrainian": 4},
    "55": {"russian": 2.5, "german": 2, "ukrainian": 3, "tatar": 2}, "59": {"russian": 3, "german": 3, "ukrainian": 2},
    "63": {"russian": 2.5, "german": 2, "tatar": 2}, "35": {"russian": 2.5, "german": 2, "ukrainian": 2, "korean": 2},
    "10": {"russian": 1.5, "tatar": 2}, "71": {"russian": 1.2}, "15": {"russian": 1.2, "tatar": 2},
}
ETHNICITY = {"kazakh": "қазақ", "russian": "русский", "uzbek": "узбек", "uyghur": "уйгур", "korean": "кореец",
             "german": "немец", "tatar": "татарин", "ukrainian": "украинец", "azerbaijani": "азербайджанец",
             "dungan": "дунганин", "turkish": "турок"}

CATEGORY_WEIGHTS = {CaseCategory.FAMILY: 22, CaseCategory.NEIGHBOURS_LAND: 18, CaseCategory.INTERETHNIC: 10,
                    CaseCategory.LABOUR: 12, CaseCategory.PROPERTY: 10, CaseCategory.EDUCATION: 8,
                    CaseCategory.MINOR_CRIMINAL: 6, CaseCategory.ADMINISTRATIVE: 6, CaseCategory.RELIGIOUS: 3,
                    CaseCategory.OTHER: 5}
CHANNEL_WEIGHTS = {Channel.WALK_IN: 38, Channel.PHONE: 14, Channel.AKIMAT: 12, Channel.POLICE: 10, Channel.COURT: 6,
                   Channel.SCHOOL: 6, Channel.PUBLIC_ACCORD_COUNCIL: 6, Channel.MONITORING: 4, Channel.OTHER: 4}
SUBJECTS = {
    CaseCategory.FAMILY: ["Отбасылық келіспеушілік: баланың тұрғылықты жері", "Спор о порядке общения с ребёнком",
                          "Алимент төлеу тәртібі туралы дау", "Конфликт между родственниками супругов"],
    CaseCategory.NEIGHBOURS_LAND: ["Спор соседей о границе земельного участка", "Көршілер арасындағы су бөлу дауы",
                                   "Спор о выпасе скота на общих землях", "Шум и затопление квартиры соседями"],
    CaseCategory.INTERETHNIC: ["Конфликт между молодёжью двух общин после свадьбы",
                               "Ауылдағы екі қауым арасындағы жанжал", "Напряжённость после драки на рынке",
                               "Спор общин об использовании пастбища"],
    CaseCategory.LABOUR: ["Жалақы бойынша еңбек дауы", "Задержка заработной платы сезонным рабочим",
                          "Спор об увольнении", "Еңбек шартын бұзу туралы дау"],
    CaseCategory.PROPERTY: ["Спор о разделе имущества", "Мұраны бөлу туралы дау", "Спор о возврате долга",
                            "Автокөлікті сату-сатып алу дауы"],
    CaseCategory.EDUCATION: ["Мектептегі оқушылар арасындағы жанжал", "Конфликт родителей с администрацией школы",
                             "Травля ученика в классе", "Сынып жетекшісі мен ата-ана арасындағы келіспеушілік"],
    CaseCategory.MINOR_CRIMINAL: ["Примирение по делу о мелком хулиганстве", "Ұсақ ұрлық бойынша татуласу",
                                  "Примирение после дорожно-транспортного происшествия"],
    CaseCategory.ADMINISTRATIVE: ["Шум и парковка во дворе многоквартирного дома", "Спор с КСК о тарифах",
                                  "Аула абаттандыру бойынша дау"],
    CaseCategory.RELIGIOUS: ["Разногласия по поводу места молитвы", "Діни рәсімге байланысты отбасылық дау",
                             "Спор о месте захоронения"],
    CaseCategory.OTHER: ["Өзге дау", "Иное обращение", "Спор в социальных сетях, переросший в угрозы"],
}
DESCRIPTIONS = [
    "Өтініш беруші тараптар арасындағы қарым-қатынас соңғы айларда шиеленіскенін хабарлады. ",
    "Со слов заявителя, конфликт длится несколько месяцев, стороны ранее обращались в акимат. ",
    "Тараптар медиация арқылы келісімге келуге дайын екенін айтты. ",
    "Участковый инспектор рекомендовал обратиться в Дом дружбы для примирения. ",
    "Жанжалға екі отбасының туыстары да араласқан. ",
    "Одна из сторон плохо владеет русским языком, нужен переводчик. ",
    "Бұрын осындай оқиға болған, аудандық әкімдік хабардар. ",
    "Стороны согласны встретиться на нейтральной территории. ",
]
ORGANISATIONS = {
    CaseCategory.LABOUR: ["ТОО «Береке Агро»", "«Шығыс Құрылыс» ЖШС", "ТОО «КазСтройСервис»", "АО «Теміржол Жөндеу»",
                          "ИП «Асанов»", "ТОО «Нур-Логистик»"],
    CaseCategory.EDUCATION: ["КГУ «Общеобразовательная школа № 17»", "№ 45 жалпы білім беретін мектеп КММ",
                             "КГУ «Школа-гимназия № 3»", "«Балапан» бөбекжайы МКҚК"],
    CaseCategory.ADMINISTRATIVE: ["КСК «Самал»", "ПК «Тұрғын үй»", "ОСИ «Жетісу-5»",
                                  "ТОО «Управляющая компания Достык»"],
    CaseCategory.PROPERTY: ["ТОО «Жилстрой»", "«Алтын Үй» ЖШС"],
}
STREETS = ["Абай", "Достық", "Сәтбаев", "Ленина", "Мира", "Тәуелсіздік", "Наурызбай батыр", "Гагарина", "Жамбыл",
           "Пушкина", "Әл-Фараби", "Толе би", "Байтұрсынұлы", "Школьная", "Қабанбай батыр"]
REFERRED = ["Сот / суд", "Полиция", "Әкімдік / акимат", "Прокуратура", "Қамқоршылық органы / органы опеки"]
NOT_ELIGIBLE_NOTES = ["Дау үшінші тұлғалардың мүддесін қозғайды", "Одна из сторон признана недееспособной",
                      "Стороной является государственный орган", "Коррупционное правонарушение"]
DECLINE_REASONS = ["Мүдделер қақтығысы / конфликт интересов", "Болезнь медиатора", "Тараптар қарсылық білдірді"]
EXTENSION_REASONS = ["Тараптардың келісімімен: қосымша кездесу қажет",
                     "Нужна дополнительная встреча с участием переводчика"]
OPERATORS = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]
MAIL = ["mail.kz", "mail.ru", "gmail.com", "inbox.kz", "yandex.kz"]
ENDINGS = {"agreement": 50, "partial": 12, "impossible": 15, "refusal": 10, "joint": 3, "expired": 10}


class Picker:
    """Weighted choice by bisection on cumulative weights (much faster than random.choices per call)."""

    def __init__(self, rng: random.Random, weights: dict):
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]
        self.rng = rng

    def __call__(self):
        return self.items[bisect(self.cumulative, self.rng.random() * self.total)]


def derived_surname(name: str) -> str:
    """A surname formed from a given name the way many Kazakh, Russian, Uzbek and Uyghur ones are."""
    if name.endswith("й"):
        return name[:-1] + "ев"
    if name.endswith(("а", "я")):
        return name + "ев"
    if name.endswith(("ш", "ж", "ч", "щ", "ц", "и")):
        return name + "ев"
    if name == "Михаил":
        return "Михайлов"
    return name + "ов"


def load_people() -> dict:
    """demo_people.json, with surnames widened by names derived from the given and fathers' names."""
    people = json.loads(resources.files("mediation.data").joinpath("demo_people.json").read_text(encoding="utf-8"))
    for community in ("kazakh", "russian", "uzbek", "uyghur", "tatar"):
        data = people[community]
        derived = sorted({derived_surname(n) for n in data["male"] + data["fathers"]} - set(data["surnames_m"]))
        data["surnames_m"] = data["surnames_m"] + derived
        data["surnames_f"] = data["surnames_f"] + [s + "а" for s in derived]
    return people


class NameRef:
    """What search_text_of reads from a party."""

    __slots__ = ("full_name", "representative_name")

    def __init__(self, full_name, representative_name):
        self.full_name, self.representative_name = full_name, representative_name


# ---------------------------------------------------------------------------------------------------------
# Generation.

CASE_COLUMNS = ("id", "number", "region_id", "house_id", "year", "sequence", "category", "channel", "subject",
                "description", "languages", "interpreter_needed", "tension", "tension_signals", "received_on",
                "state", "outcome", "termination_ground", "terminated_on", "closing_reason", "referred_to",
                "excl_third_party", "excl_party_incapable", "excl_state_body", "excl_corruption", "screening_note",
                "proposal_sent_on", "proposal_accepted_on", "contract_signed_on", "deadline", "extension_days",
                "extension_reason", "search_text", "created_at", "created_by_id", "updated_at", "updated_by_id",
                "version")
PARTY_COLUMNS = ("id", "case_id", "position", "kind", "role", "full_name", "name_folded", "iin_bin",
                 "preferred_language", "phone", "email", "address", "representative_name", "representative_basis",
                 "is_minor", "ethnicity", "ethnicity_consent_on", "consent_mediation_on", "consent_mediation_method",
                 "consent_data_on", "consent_data_method")
EVENT_COLUMNS = ("id", "case_id", "at", "actor_id", "kind", "from_state", "to_state", "reason", "data")
ASSIGNMENT_COLUMNS = ("id", "case_id", "mediator_id", "role", "status", "assigned_at", "assigned_by_id", "ended_at",
                      "reason")
ORG_TENDENCY = {CaseCategory.LABOUR: 0.6, CaseCategory.EDUCATION: 0.35, CaseCategory.ADMINISTRATIVE: 0.5,
                CaseCategory.PROPERTY: 0.12, CaseCategory.NEIGHBOURS_LAND: 0.03, CaseCategory.OTHER: 0.05}


def _iin_tables():
    """Weighted sums of the ИИН check digit (domain/identity.py), split into prefix and serial parts."""
    serial1 = [sum(w * int(d) for w, d in zip(FIRST_WEIGHTS[7:], f"{s:04d}", strict=True)) for s in range(10000)]
    serial2 = [sum(w * int(d) for w, d in zip(SECOND_WEIGHTS[7:], f"{s:04d}", strict=True)) for s in range(10000)]
    return serial1, serial2


def _json_str(value) -> str:
    return "null" if value is None else f'"{value}"'


def _json_int(value) -> str:
    return "null" if value is None else str(value)


class Generator:
    """Cases in received-date order, with parties, a timeline and assignments, as plain tuples.

    Hot paths avoid random.randint/choice and json.dumps (ten times slower than what is used here); the
    ИИН check digit and event JSON are checked against the app's own functions before the load starts.
    """

    def __init__(self, org: dict, today: date, years: float, seed: int):
        self.rng = rng = random.Random(seed)
        rnd = self.rnd = rng.random
        self.ri = lambda a, b: a + int(rnd() * (b - a + 1))
        self.pick = lambda seq: seq[int(rnd() * len(seq))]
        self.today = today
        self.epoch = today - timedelta(days=int(365.25 * years))
        self.span = (today - self.epoch).days  # day index of today
        # Date strings for every day index we may need (deadlines run up to 60 days past today).
        self.dates = [(self.epoch + timedelta(days=d)).isoformat() for d in range(self.span + 200)]
        self.people = load_people()
        self.org = org
        regions = org["regions"]  # id -> kato2
        self.kato = regions
        self.region_pick = Picker(rng, {rid: POPULATION[k] for rid, k in regions.items()})
        self.house_pick = {}
        for rid in regions:
            houses = sorted((h for h in org["houses"] if h["region_id"] == rid), key=lambda h: h["id"])
            weights = {houses[0]["id"]: 70}
            for h in houses[1:]:
                weights[h["id"]] = 30 / (len(houses) - 1)
            self.house_pick[rid] = Picker(rng, weights)
        self.community_pick = {}
        for rid, kato in regions.items():
            shift = REGION_SHIFT.get(kato, {})
            self.community_pick[rid] = Picker(rng, {c: w * shift.get(c, 1) for c, w in COMMUNITY_WEIGHTS.items()})
        self.mediator_pick = {}
        for rid in regions:
            active = {m["id"]: (2.0 if m["user_id"] else 1.0) for m in org["mediators"]
                      if m["region_id"] == rid and m["status"] == "active"}
            self.mediator_pick[rid] = Picker(rng, active)
        self.category_pick = Picker(rng, CATEGORY_WEIGHTS)
        self.channel_pick = Picker(rng, CHANNEL_WEIGHTS)
        self.tension_pick = Picker(rng, {TensionLevel.LOW: 55, TensionLevel.ELEVATED: 25, TensionLevel.HIGH: 15,
                                         TensionLevel.CRITICAL: 5})
        self.party_count_pick = Picker(rng, {2: 60, 3: 28, 4: 12})
        self.ending_pick = Picker(rng, ENDINGS)
        self.signals = list(TensionSignal)
        self.tension_cache: dict = {}
        self.counters: dict[tuple[int, int], int] = {}
        self.party_id = self.event_id = self.assignment_id = 0
        self.coordinators = org["coordinators"]  # house_id -> user id (the actor of the timeline)
        self.languages = set(LANGUAGES)
        self.json_cache: dict = {}
        self.fold_cache: dict = {}
        self.iin_prefix: dict = {}
        self.serial1, self.serial2 = _iin_tables()
        self.blocking = [q.value for q in ExclusionQuestion]
        self.channel_json = {c: f'{{"channel": "{c.value}"}}' for c in Channel}
        self._self_check()

    def _self_check(self) -> None:
        """The fast ИИН and JSON paths give exactly what the app's own functions give."""
        rng = random.Random(1)
        for _ in range(3000):
            birth = date(rng.randint(1950, 2016), rng.randint(1, 12), rng.randint(1, 28))
            female, serial = rng.random() < 0.5, rng.randint(1, 9000)
            assert self.iin(birth.year, birth.month, birth.day, female, serial) == make_iin(birth, female, serial)
        assert self.json_event("assigned", 5, None) == json.dumps({"lead": 5, "co": None})
        assert self.json_event("closed", "x", None, None) == json.dumps(
            {"outcome": "x", "ground": None, "terminated_on": None})

    # -- small fast helpers ------------------------------------------------------------------------------
    def fold(self, name: str) -> str:
        folded = self.fold_cache.get(name)
        if folded is None:
            folded = self.fold_cache[name] = fold(name)
        return folded

    def iin(self, year: int, month: int, day: int, female: bool, serial: int) -> str:
        """make_iin(date(year, month, day), female, serial), without its per-call digit loops."""
        kind = (3 if year < 2000 else 5) + (1 if female else 0)
        prefix = f"{year % 100:02d}{month:02d}{day:02d}{kind}"
        sums = self.iin_prefix.get(prefix)
        if sums is None:
            digits = [int(ch) for ch in prefix]
            sums = self.iin_prefix[prefix] = (sum(w * d for w, d in zip(FIRST_WEIGHTS, digits, strict=False)),
                                              sum(w * d for w, d in zip(SECOND_WEIGHTS, digits, strict=False)))
        for step in range(10000):
            s = (serial + step) % 10000
            r = (sums[0] + self.serial1[s]) % 11
            if r == 10:
                r = (sums[1] + self.serial2[s]) % 11
                if r == 10:
                    continue
            return f"{prefix}{s:04d}{r}"
        raise AssertionError("unreachable")

    def json_event(self, kind: str, *values) -> str:
        if kind == "assigned":
            return f'{{"lead": {values[0]}, "co": {_json_int(values[1])}}}'
        if kind == "closed":
            return (f'{{"outcome": "{values[0]}", "ground": {_json_str(values[1])}, '
                    f'"terminated_on": {_json_str(values[2])}}}')
        raise ValueError(kind)

    # -- schedule ----------------------------------------------------------------------------------------
    def received_days(self, count: int) -> list[int]:
        """Received day indexes, sorted: a slow growth over the years, fewer appeals at weekends."""
        weekday0 = self.epoch.weekday()
        weights = []
        for d in range(self.span + 1):
            wd = (weekday0 + d) % 7
            weights.append((1 + 0.5 * d / self.span) * (1.0 if wd < 5 else 0.35 if wd == 5 else 0.15))
        cumulative = list(accumulate(weights))
        total = cumulative[-1]
        rnd = self.rnd
        days = [bisect(cumulative, rnd() * total) for _ in range(count)]
        days.sort()
        return days

    # -- parties -----------------------------------------------------------------------------------------
    def person(self, community: str) -> tuple[str, bool]:
        data, rnd, pick = self.people[community], self.rnd, self.pick
        female = rnd() < 0.5
        if female:
            name = f'{pick(data["surnames_f"])} {pick(data["female"])} '
            patronymic = pick(data["patronymic_f"])
        else:
            name = f'{pick(data["surnames_m"])} {pick(data["male"])} '
            patronymic = pick(data["patronymic_m"])
        return name + patronymic.format(father=pick(data["fathers"])), female

    def phone(self) -> str:
        return f"+7{self.pick(OPERATORS)}{self.ri(1000000, 9999999)}"

    def address(self) -> str:
        return f"{self.pick(STREETS)} к-сі / ул., {self.ri(1, 180)}, {self.ri(1, 120)}"

    def make_bin(self) -> str:
        ri = self.ri
        while True:
            first11 = f"{ri(0, 23):02d}{ri(1, 12):02d}4{ri(0, 1)}{ri(0, 99999):05d}"
            digit = check_digit(first11)
            if digit is not None:
                return f"{first11}{digit}"

    def parties(self, case_id: int, region_id: int, category, received: str):
        rnd, ri, pick = self.rnd, self.ri, self.pick
        rows, refs, langs = [], [], set()
        org_p = ORG_TENDENCY.get(category, 0.02)
        community_pick = self.community_pick[region_id]
        education = category is CaseCategory.EDUCATION
        for position in range(self.party_count_pick()):
            role = "applicant" if position == 0 else "respondent" if position == 1 else \
                ("other" if rnd() < 0.7 else pick(("applicant", "respondent")))
            self.party_id += 1
            community = community_pick()
            language = self.people[community]["languages"][0][0]
            if position == 1 and rnd() < org_p:
                name = pick(ORGANISATIONS.get(category) or ORGANISATIONS[CaseCategory.LABOUR])
                rep = self.person(community)[0] if rnd() < 0.8 else None
                row = (self.party_id, case_id, position, "organisation", role, name, self.fold(name),
                       self.make_bin(), language, self.phone(), None, self.address(), rep,
                       "Сенімхат / доверенность" if rep else None, False, None, None,
                       received, "written", received, "written")
            else:
                minor = education and position >= 1 and rnd() < 0.5
                name, female = self.person(community)
                if minor:
                    year = ri(2009, 2016)
                    rep = self.person(community)[0]
                    basis = "Заңды өкіл (ата-ана) / законный представитель"
                else:
                    year = ri(1950, 2005)
                    rep = self.person(community)[0] if rnd() < 0.05 else None
                    basis = "Адвокат, ордер" if rep else None
                iin = self.iin(year, ri(1, 12), ri(1, 28), female, ri(1, 9000)) if rnd() < 0.85 else None
                consent = rnd() < 0.8
                method = pick(("written", "written", "oral", "electronic")) if consent else None
                ethnic = rnd() < 0.15
                row = (self.party_id, case_id, position, "person", role, name, self.fold(name), iin, language,
                       self.phone() if rnd() < 0.8 else None,
                       f"user{ri(100, 99999)}@{pick(MAIL)}" if rnd() < 0.15 else None,
                       self.address() if rnd() < 0.6 else None, rep, basis, minor,
                       ETHNICITY[community] if ethnic else None, received if ethnic else None,
                       received if consent else None, method, received if consent else None, method)
            rows.append(row)
            refs.append(NameRef(name, rep))
            langs.add(language)
        return rows, refs, langs

    # -- one case ----------------------------------------------------------------------------------------
    def case(self, case_id: int, day: int):
        rnd, ri, pick, today, dates = self.rnd, self.ri, self.pick, self.span, self.dates
        region_id = self.region_pick()
        house_id = self.house_pick[region_id]()
        received = dates[day]
        year = int(received[:4])
        key = (region_id, year)
        sequence = self.counters.get(key, 0) + 1
        self.counters[key] = sequence
        number = f"{self.kato[region_id]}-{year}-{sequence:05d}"
        category = self.category_pick()
        channel = self.channel_pick()
        k = pick((0, 0, 0, 0, 1, 1, 2, 3)) if rnd() < 0.5 else 0
        signals = tuple(sorted(self.rng.sample(self.signals, k))) if k else ()
        chosen = self.tension_pick()
        tension = self.tension_cache.get((chosen, signals))
        if tension is None:
            tension = self.tension_cache[(chosen, signals)] = raise_to(chosen, minimum_tension(signals)).value
        party_rows, refs, langs = self.parties(case_id, region_id, category, received)
        languages = tuple(sorted(langs & self.languages))
        actor = self.coordinators[house_id]
        events, assignments = [], []
        clock = [ri(0, 500)]  # minutes after 09:00 Almaty (04:00 UTC), growing along the timeline
        event_id = self.event_id

        def stamp(d: int) -> str:
            m = clock[0] = min(clock[0] + ri(1, 40), 1199)
            return f"{dates[d]} {4 + m // 60:02d}:{m % 60:02d}:{ri(0, 59):02d}.000000"

        def event(d, kind, from_state, to_state, data="{}", reason=None):
            nonlocal event_id
            event_id += 1
            events.append((event_id, case_id, stamp(d), actor, kind, from_state, to_state, reason, data))

        # The timeline: each step a few days after the previous one, nothing after today; a small share of
        # cases stops at each stage whatever its age (forgotten or stuck cases exist in every registry).
        state = "registered"
        outcome = ground = terminated = closing_reason = referred = note = None
        excl = (None, None, None, None)
        sent = accepted = signed_on = deadline_on = ext_reason = None
        ext_days = 0
        event(day, "registered", None, "registered", self.channel_json[channel])
        while True:
            s1 = day + pick((0, 0, 1, 1, 2, 3))
            if s1 > today or rnd() < 0.002:
                break
            if rnd() < 0.015:  # withdrawn or sent elsewhere at once
                when = s1 + ri(0, 5)
                if when <= today:
                    outcome = pick(("withdrawn", "referred"))
                    referred = pick(REFERRED) if outcome == "referred" else None
                    event(when, "closed", state, "closed", self.json_event("closed", outcome, None, None))
                    state = "closed"
                break
            event(s1, "screening_started", "registered", "screening")
            state = "screening"
            s2 = s1 + pick((0, 0, 1, 2, 3, 5))
            if s2 > today or rnd() < 0.003:
                break
            if rnd() < 0.06:  # Art. 1 exclusion: closed as not eligible
                q = int(rnd() * 4)
                excl = (q == 0, q == 1, q == 2, q == 3)
                note = closing_reason = NOT_ELIGIBLE_NOTES[q]
                referred = pick(REFERRED) if rnd() < 0.6 else None
                outcome = "not_eligible"
                event(s2, "closed_not_eligible", "screening", "closed",
                      f'{{"blocking": ["{self.blocking[q]}"], "referred_to": {"true" if referred else "false"}}}',
                      note)
                state = "closed"
                break
            excl = (False, False, False, False)
            event(s2, "screening_passed", "screening", "awaiting_assignment")
            state = "awaiting_assignment"
            if rnd() < 0.02:
                when = s2 + ri(1, 10)
                if when <= today:
                    outcome = "withdrawn"
                    event(when, "closed", state, "closed", self.json_event("closed", outcome, None, None))
                    state = "closed"
                break
            a = s2 + ri(1, 7)
            if a > today or rnd() < 0.003:
                break
            mediator_pick = self.mediator_pick[region_id]
            lead = mediator_pick()
            co = mediator_pick() if rnd() < 0.2 else None
            if co == lead:
                co = None
            current = []
            for mid, role in ((lead, "lead"), (co, "co")):
                if mid is not None:
                    self.assignment_id += 1
                    current.append([self.assignment_id, case_id, mid, role, "proposed", stamp(a), actor, None, None])
            event(a, "assigned", "awaiting_assignment", "assigned", self.json_event("assigned", lead, co))
            state = "assigned"
            if rnd() < 0.03:  # the mediator declines; another one is assigned
                d = a + ri(1, 4)
                if d > today:
                    assignments += current
                    break
                reason = pick(DECLINE_REASONS)
                ended = stamp(d)
                for row in current:
                    row[4], row[7], row[8] = "declined", ended, reason
                assignments += current
                event(d, "declined", "assigned", "awaiting_assignment", reason=reason)
                state = "awaiting_assignment"
                a = d + ri(0, 3)
                if a > today:
                    break
                new_lead = mediator_pick()
                if new_lead in (lead, co):
                    new_lead = mediator_pick()
                self.assignment_id += 1
                current = [[self.assignment_id, case_id, new_lead, "lead", "proposed", stamp(a), actor, None, None]]
                event(a, "assigned", "awaiting_assignment", "assigned", self.json_event("assigned", new_lead, None))
                state = "assigned"
            assignments += current
            if rnd() < 0.5:  # a written proposal to mediate (Art. 19)
                sent_day = a + ri(0, 2)
                if sent_day > today:
                    break
                accepted_day = sent_day + ri(1, 9) if rnd() < 0.95 else None
                if accepted_day is not None and accepted_day > today:
                    accepted_day = None
                sent = dates[sent_day]
                accepted = dates[accepted_day] if accepted_day is not None else None
                event(accepted_day if accepted_day is not None else sent_day, "proposal", "assigned", "assigned",
                      f'{{"sent_on": "{sent}", "accepted_on": {_json_str(accepted)}}}')
                if accepted_day is None:
                    if sent_day + 10 < today and rnd() < 0.7:  # lapsed: the parties never answered
                        when = sent_day + ri(11, 20)
                        if when <= today:
                            outcome = "withdrawn"
                            event(when, "closed", "assigned", "closed", self.json_event("closed", outcome, None, None))
                            state = "closed"
                            ended = stamp(when)
                            for row in current:
                                row[7] = ended
                    break
                signed = max(a + ri(1, 10), accepted_day)
            else:
                signed = a + ri(1, 10)
            if rnd() < 0.04:  # the parties do not come to sign
                when = a + ri(3, 15)
                if when <= today:
                    outcome = pick(("withdrawn", "withdrawn", "referred"))
                    referred = pick(REFERRED) if outcome == "referred" else None
                    event(when, "closed", "assigned", "closed", self.json_event("closed", outcome, None, None))
                    state = "closed"
                    ended = stamp(when)
                    for row in current:
                        row[7] = ended
                break
            if signed > today or rnd() < 0.003:
                break
            deadline = signed + 30
            signed_on = dates[signed]
            for row in current:
                row[4] = "accepted"
            event(signed, "contract_signed", "assigned", "in_mediation",
                  f'{{"signed_on": "{signed_on}", "deadline": "{dates[deadline]}"}}')
            state = "in_mediation"
            ending = self.ending_pick()
            if rnd() < 0.12:  # one extension, at most 30 days, before the term runs out
                ext_day = signed + ri(20, 29)
                if ext_day <= today:
                    ext_days = ri(7, 30)
                    deadline += ext_days
                    ext_reason = pick(EXTENSION_REASONS)
                    event(ext_day, "extended", "in_mediation", "in_mediation",
                          f'{{"days": {ext_days}, "deadline": "{dates[deadline]}"}}', ext_reason)
            deadline_on = dates[deadline]
            if rnd() < 0.003:  # forgotten: stays in mediation, overdue once the deadline passes
                break
            if ending == "expired":
                end_day = deadline
                closed_day = deadline + ri(1, 5)
            else:
                end_day = signed + ri(3, deadline - signed)
                closed_day = end_day + pick((0, 0, 1, 2))
            if closed_day > today:
                break
            outcome, ground = ENDING_RESULTS[ending]
            terminated = dates[end_day]
            event(closed_day, "closed", "in_mediation", "closed",
                  self.json_event("closed", outcome, ground, terminated))
            state = "closed"
            ended = stamp(closed_day)
            for row in current:
                row[7] = ended
            break
        self.event_id = event_id

        case_row = (
            case_id, number, region_id, house_id, year, sequence, category.value, channel.value,
            pick(SUBJECTS[category]),
            "".join(DESCRIPTIONS[i] for i in sorted({int(rnd() * 8) for _ in range(3)})).strip(),
            self.json_list(languages), len(languages) > 1 and rnd() < 0.3, tension, self.json_list(signals),
            received, state, outcome, ground, terminated, closing_reason, referred, excl[0], excl[1], excl[2],
            excl[3], note, sent, accepted, signed_on, deadline_on, ext_days, ext_reason,
            search_text_of(number, refs), events[0][2], actor, events[-1][2], actor, len(events))
        return case_row, party_rows, events, [tuple(a) for a in assignments]

    def json_list(self, values: tuple) -> str:
        text = self.json_cache.get(values)
        if text is None:
            text = self.json_cache[values] = json.dumps([str(v) for v in values])
        return text


ENDING_RESULTS = {
    "agreement": ("full_agreement", "agreement_signed"),
    "partial": ("partial_agreement", "agreement_signed"),
    "impossible": ("no_agreement", "settlement_impossible"),
    "refusal": ("withdrawn", "unilateral_refusal"),
    "joint": ("withdrawn", "joint_refusal"),
    "expired": ("no_agreement", "term_expired"),
}


# ---------------------------------------------------------------------------------------------------------

def database_url(target: str) -> str:
    if target.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    return f"sqlite:///{Path(target).resolve()}"


def bench_config(url: str):
    """The app bound to one database (as tests/conftest.py's config_for)."""
    # GC_FREEZE_AFTER_START as a production worker has it (TestingConfig turns it off for the test suite).
    return type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                                                  "GC_FREEZE_AFTER_START": True})


def build_schema_and_org(url: str, today: date, mediators: int, force: bool) -> dict:
    """Migrations, demo organisation and logins, one coordinator per house; returns the ids the cases need."""
    from sqlalchemy import select, text

    from mediation import create_app
    from mediation.cli_db import upgrade
    from mediation.domain.roles import Role
    from mediation.extensions import db
    from mediation.models import FriendshipHouse, Mediator, Region, User
    from mediation.seed import seed_demo
    from mediation.services.passwords import hash_password

    app = create_app(bench_config(url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                exists = connection.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
                if exists and not force:
                    sys.exit("the database already has a schema; pass --force to drop it")
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        report = seed_demo(password=PASSWORD, today=today, fast_hash=True, mediators=mediators, case_count=0)
        houses = list(db.session.scalars(select(FriendshipHouse).order_by(FriendshipHouse.id)))
        password_hash = hash_password(PASSWORD, fast=True)
        coordinators = {}
        for house in houses:
            user = User(username=f"coord-{house.region.kato2}-{house.id}", full_name=f"Үйлестіруші {house.city}",
                        role=Role.COORDINATOR, password_hash=password_hash, region_id=house.region_id,
                        house_id=house.id)
            db.session.add(user)
            db.session.flush()
            coordinators[house.id] = user.id
        db.session.commit()
        org = {
            "regions": {r.id: r.kato2 for r in db.session.scalars(select(Region))},
            "houses": [{"id": h.id, "region_id": h.region_id} for h in houses],
            "mediators": [{"id": m.id, "region_id": m.region_id, "status": m.status, "user_id": m.user_id}
                          for m in db.session.scalars(select(Mediator).order_by(Mediator.id))],
            "coordinators": coordinators,
            "report": report,
        }
        db.session.remove()
        db.engine.dispose()
    return org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file path, or postgresql://user@host/db")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--mediators", type=int, default=2500, help="registry size passed to seed_demo")
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--analyze", choices=("yes", "no"), default=None,
                        help="ANALYZE after the load (default: yes on PostgreSQL, where autovacuum would do it "
                             "anyway; no on SQLite, where the app never runs it)")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    parser.add_argument("--verify", action="store_true",
                        help="SQLite: PRAGMA quick_check after the load (CHECK and NOT NULL constraints; PostgreSQL "
                             "checks them during COPY and when the constraints are added back)")
    args = parser.parse_args()

    url = database_url(args.target)
    postgres = url.startswith("postgresql")
    if not postgres:
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            if not args.force:
                sys.exit(f"{path} exists; pass --force to replace it")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    analyze = (args.analyze or ("yes" if postgres else "no")) == "yes"
    from mediation.services.clock import local_date, utcnow

    today = local_date(utcnow())
    timings: dict[str, float] = {}
    started = time.perf_counter()
    t = time.perf_counter()
    org = build_schema_and_org(url, today, args.mediators, args.force)
    timings["schema_and_seed"] = time.perf_counter() - t
    print(f"schema + seed_demo: {timings['schema_and_seed']:.1f}s ({org['report']})", flush=True)

    loader = PostgresLoader(args.target.replace("postgresql+psycopg://", "postgresql://"), analyze, args.verify) \
        if postgres else SqliteLoader(str(path), analyze, args.verify)
    loader.prepare()
    gen = Generator(org, today, args.years, args.seed)
    days = gen.received_days(args.cases)
    generate = insert = 0.0
    totals = {"case": 0, "party": 0, "case_event": 0, "case_assignment": 0}
    states: dict[str, int] = {}
    for start in range(0, args.cases, args.chunk):
        t = time.perf_counter()
        cases, parties, events, assignments = [], [], [], []
        for offset, day in enumerate(days[start:start + args.chunk]):
            case_row, party_rows, event_rows, assignment_rows = gen.case(start + offset + 1, day)
            cases.append(case_row)
            parties += party_rows
            events += event_rows
            assignments += assignment_rows
            states[case_row[15]] = states.get(case_row[15], 0) + 1
        t2 = time.perf_counter()
        generate += t2 - t
        for table, columns, rows in (("case", CASE_COLUMNS, cases), ("party", PARTY_COLUMNS, parties),
                                     ("case_event", EVENT_COLUMNS, events),
                                     ("case_assignment", ASSIGNMENT_COLUMNS, assignments)):
            loader.insert(table, columns, rows)
            totals[table] += len(rows)
        insert += time.perf_counter() - t2
        done = start + len(cases)
        if done % 100_000 == 0 or done == args.cases:
            print(f"  {done:>9,} cases  generate {generate:6.1f}s  insert {insert:6.1f}s  "
                  f"elapsed {time.perf_counter() - started:6.1f}s", flush=True)
    timings["generate"], timings["insert"] = generate, insert
    counters = [(region_id, year, last) for (region_id, year), last in sorted(gen.counters.items())]
    loader.finish(counters, timings)
    timings["total"] = time.perf_counter() - started
    print("rows: " + ", ".join(f"{table} {count:,}" for table, count in totals.items()))
    print("states: " + ", ".join(f"{state} {count:,}" for state, count in sorted(states.items())))
    print("timings: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items()))
    print(f"TOTAL {timings['total']:.1f}s ({timings['total'] / 60:.1f} min) for {args.cases:,} cases")


if __name__ == "__main__":
    main()
