"""Demo cases in every state, made through the real services so they obey the same rules as users."""

import json
import random
from datetime import date, datetime, time, timedelta
from importlib import resources

from sqlalchemy import select

from .domain.case_fields import LANGUAGES, CaseCategory, Channel, PartyKind, PartyRole, TensionLevel, TensionSignal
from .domain.case_states import Outcome, TerminationGround
from .domain.deadlines import DeadlinePolicy
from .domain.eligibility import ExclusionQuestion
from .domain.identity import make_iin
from .domain.roles import Actor, Role
from .extensions import db
from .models import FriendshipHouse, Mediator, User
from .services import assignment, case_intake, case_lifecycle
from .services.case_lifecycle import Closure, Step

# Share of demo cases that stop at each stage (the rest run to closure).
STAGES = {"registered": 8, "screening": 6, "not_eligible": 5, "awaiting": 10, "assigned": 9, "in_mediation": 22,
          "closed": 40}
CATEGORY_WEIGHTS = {CaseCategory.FAMILY: 22, CaseCategory.NEIGHBOURS_LAND: 18, CaseCategory.INTERETHNIC: 10,
                    CaseCategory.LABOUR: 12, CaseCategory.PROPERTY: 10, CaseCategory.EDUCATION: 8,
                    CaseCategory.MINOR_CRIMINAL: 6, CaseCategory.ADMINISTRATIVE: 6, CaseCategory.RELIGIOUS: 3,
                    CaseCategory.OTHER: 5}
SUBJECTS = {
    CaseCategory.FAMILY: "Отбасылық келіспеушілік: баланың тұрғылықты жері",
    CaseCategory.NEIGHBOURS_LAND: "Спор соседей о границе земельного участка",
    CaseCategory.INTERETHNIC: "Конфликт между молодёжью двух общин после свадьбы",
    CaseCategory.LABOUR: "Жалақы бойынша еңбек дауы",
    CaseCategory.PROPERTY: "Спор о разделе имущества",
    CaseCategory.EDUCATION: "Мектептегі оқушылар арасындағы жанжал",
    CaseCategory.MINOR_CRIMINAL: "Примирение по делу о мелком хулиганстве",
    CaseCategory.ADMINISTRATIVE: "Шум и парковка во дворе многоквартирного дома",
    CaseCategory.RELIGIOUS: "Разногласия по поводу места молитвы",
    CaseCategory.OTHER: "Өзге дау",
}
POLICY = DeadlinePolicy()


def _names():
    people = json.loads(resources.files("mediation.data").joinpath("demo_people.json").read_text(encoding="utf-8"))
    return people


def _party(rng: random.Random, people: dict, role: PartyRole, received: date) -> case_intake.PartyData:
    community = rng.choice(list(people))
    data = people[community]
    female = rng.random() < 0.5
    name = " ".join([rng.choice(data["surnames_f" if female else "surnames_m"]),
                     rng.choice(data["female" if female else "male"]),
                     rng.choice(data["patronymic_f" if female else "patronymic_m"]).format(
                         father=rng.choice(data["fathers"]))])
    birth = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
    consented = received if rng.random() < 0.8 else None
    return case_intake.PartyData(
        kind=PartyKind.PERSON, role=role, full_name=name, iin_bin=make_iin(birth, female, rng.randint(1, 9000)),
        preferred_language=data["languages"][0][0], phone=f"+7701{rng.randint(1000000, 9999999)}",
        consent_mediation_on=consented, consent_mediation_method="written" if consented else None,
        consent_data_on=consented, consent_data_method="written" if consented else None)


def seed_cases(count: int, *, today: date, rng_seed: int = 2027) -> int:
    """Create `count` demo cases spread over the houses and every stage of the life cycle."""
    rng = random.Random(rng_seed)
    people = _names()
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER, User.region_id.is_(None)))
    actor = Actor(id=manager.id, role=Role.MANAGER)
    houses = list(db.session.scalars(select(FriendshipHouse)))
    republican = next(h for h in houses if h.is_republican)
    mediators: dict[int, list[int]] = {}
    for mediator in db.session.scalars(select(Mediator).where(Mediator.status == "active")):
        mediators.setdefault(mediator.region_id, []).append(mediator.id)
    demo_mediator = db.session.scalar(select(Mediator.id).where(Mediator.user_id.is_not(None)))
    stages, weights = zip(*STAGES.items(), strict=True)
    categories, category_weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    for index in range(count):
        house = republican if index % 5 == 0 else rng.choice(houses)
        received = today - timedelta(days=rng.randint(0, 240))
        stage = rng.choices(stages, weights)[0]
        if stage in ("in_mediation",):
            received = today - timedelta(days=rng.randint(3, 45))
        category = rng.choices(categories, category_weights)[0]
        signals = rng.sample(list(TensionSignal), k=rng.choice([0, 0, 0, 1, 1, 2]))
        parties = [_party(rng, people, PartyRole.APPLICANT, received),
                   _party(rng, people, PartyRole.RESPONDENT, received)]
        parties += [_party(rng, people, PartyRole.OTHER, received) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
        data = case_intake.IntakeData(
            house_id=house.id, category=category, channel=rng.choice(list(Channel)), subject=SUBJECTS[category],
            received_on=received, tension=rng.choices(list(TensionLevel), [55, 25, 15, 5])[0],
            parties=tuple(parties), description="Демо: мән-жайдың сипаттамасы / описание обстоятельств.",
            languages=tuple(sorted({p.preferred_language for p in parties} & set(LANGUAGES))),
            signals=tuple(signals))
        moment = datetime.combine(received, time(5, 0)) + timedelta(minutes=index)
        case = case_intake.register_case(actor, data, ip=None, now=moment, today=received)
        lead = demo_mediator if house.id == republican.id and rng.random() < 0.5 else \
            rng.choice(mediators.get(house.region_id) or [demo_mediator])
        _advance(case, stage, actor, moment, lead, rng, today)
    db.session.flush()
    return count


def _advance(case, stage: str, actor: Actor, moment: datetime, lead: int, rng: random.Random, today: date) -> None:
    """Walk one case through the services up to its stage, a few days per step."""
    def step(days: int) -> Step:
        nonlocal moment
        moment = min(moment + timedelta(days=days), datetime.combine(today, time(4, 0)))
        return Step(actor=actor, case_id=case.id, version=case.version, now=moment)

    if stage == "registered":
        return
    if stage == "screening":
        case_lifecycle.start_screening(step(0))
        return
    no = {q: False for q in ExclusionQuestion}
    if stage == "not_eligible":
        answers = {**no, rng.choice(list(ExclusionQuestion)): True}
        case_lifecycle.record_screening(step(1), answers, "Art. 1 exclusion", "Сот / суд")
        return
    case_lifecycle.record_screening(step(1), no, None, None)
    if stage == "awaiting":
        return
    case_lifecycle.assign_mediators(step(1), lead, None, None)
    if stage == "assigned":
        if rng.random() < 0.5:
            case_lifecycle.record_proposal(step(0), case.received_on + timedelta(days=2), None)
        return
    answering = db.session.scalar(select(Mediator.user_id).where(Mediator.id == lead))
    if answering is not None:  # a mediator with an account accepts, declaring no conflict, before the contract
        accepted = step(1)
        assignment.accept(Step(actor=Actor(id=answering, role=Role.MEDIATOR), case_id=case.id,
                               version=accepted.version, now=accepted.now), [], None, declared_no_conflict=True)
    signed = step(2)
    case_lifecycle.sign_contract(signed, signed.today, POLICY)
    if stage == "in_mediation":
        return
    ending = rng.choices(["agreement", "partial", "impossible", "refusal", "expired"], [50, 12, 15, 13, 10])[0]
    if ending == "expired":
        finish = Step(actor=actor, case_id=case.id, version=case.version,
                      now=datetime.combine(case.deadline + timedelta(days=1), time(6, 0)))
        if finish.today <= today:
            case_lifecycle.close_case(finish, Closure(Outcome.NO_AGREEMENT, TerminationGround.TERM_EXPIRED))
        return
    done = step(rng.randint(3, 25))
    outcome, ground = {
        "agreement": (Outcome.FULL_AGREEMENT, TerminationGround.AGREEMENT_SIGNED),
        "partial": (Outcome.PARTIAL_AGREEMENT, TerminationGround.AGREEMENT_SIGNED),
        "impossible": (Outcome.NO_AGREEMENT, TerminationGround.SETTLEMENT_IMPOSSIBLE),
        "refusal": (Outcome.WITHDRAWN, TerminationGround.UNILATERAL_REFUSAL),
    }[ending]
    case_lifecycle.close_case(done, Closure(outcome, ground, effective_on=min(done.today, case.deadline)))
