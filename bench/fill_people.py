"""Parties of the generated cases: people and organisations of the region's communities, with ИИН/БИН, contacts,
representatives and consents (bench/fill_cases.py)."""

import json
import random
from datetime import date
from importlib import resources

from fill_random import Draws, Picker
from fill_vocabulary import (
    COMMUNITY_WEIGHTS,
    ETHNICITY,
    MAIL,
    OPERATORS,
    ORG_TENDENCY,
    ORGANISATIONS,
    REGION_SHIFT,
    STREETS,
)

from mediation.domain.case_fields import CaseCategory
from mediation.domain.identity import FIRST_WEIGHTS, SECOND_WEIGHTS, check_digit, make_iin
from mediation.domain.text import fold


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


def _iin_tables():
    """Weighted sums of the ИИН check digit (domain/identity.py), split into prefix and serial parts."""
    serial1 = [sum(w * int(d) for w, d in zip(FIRST_WEIGHTS[7:], f"{s:04d}", strict=True)) for s in range(10000)]
    serial2 = [sum(w * int(d) for w, d in zip(SECOND_WEIGHTS[7:], f"{s:04d}", strict=True)) for s in range(10000)]
    return serial1, serial2


class Parties:
    """Party rows, numbered from 1 across the fill; the ИИН's fast path is checked against the app's make_iin."""

    def __init__(self, draws: Draws, regions: dict[int, str]):
        self.rnd, self.ri, self.pick = draws.rnd, draws.ri, draws.pick
        self.people = load_people()
        self.community_pick = {}
        for rid, kato in regions.items():
            shift = REGION_SHIFT.get(kato, {})
            self.community_pick[rid] = Picker(draws.rng, {c: w * shift.get(c, 1) for c, w in COMMUNITY_WEIGHTS.items()})
        self.party_count_pick = Picker(draws.rng, {2: 60, 3: 28, 4: 12})
        self.party_id = 0
        self.fold_cache: dict = {}
        self.iin_prefix: dict = {}
        self.serial1, self.serial2 = _iin_tables()
        self._self_check()

    def _self_check(self) -> None:
        """The fast ИИН path gives exactly what the app's make_iin gives."""
        rng = random.Random(1)
        for _ in range(3000):
            birth = date(rng.randint(1950, 2016), rng.randint(1, 12), rng.randint(1, 28))
            female, serial = rng.random() < 0.5, rng.randint(1, 9000)
            assert self.iin(birth.year, birth.month, birth.day, female, serial) == make_iin(birth, female, serial)

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

    def for_case(self, case_id: int, region_id: int, category, received: str):
        """The case's party rows, what search_text_of reads of them, and the languages they speak."""
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
