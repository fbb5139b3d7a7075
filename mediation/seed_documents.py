"""Demo settlement documents: finalised agreements for some closed cases, made through the real services."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from .domain.agreement import DocumentKind, DocumentLanguage, Term
from .domain.case_states import TerminationGround
from .domain.roles import Role
from .extensions import db
from .models import Case, CaseAssignment, Mediator, User
from .services import document_finalise, documents
from .services.documents import Act

TERMS = (
    ("1", "Көршісіне келтірілген залал үшін 50 000 теңге өтемақы төлейді"),
    ("2", "Учаске шекарасындағы қоршауды өз есебінен жөндейді"),
    ("all", "Даулы мәселелер бойынша бір-біріне алдын ала жазбаша хабарлайды"),
)


def seed_documents(today: date, *, limit: int = 6) -> int:
    """Finalise an agreement for up to `limit` cases the demo mediator closed with a signed agreement."""
    from . import document_print

    mediator = db.session.scalar(select(User).where(User.role == Role.MEDIATOR, User.username == "mediator"))
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER, User.region_id.is_(None)))
    if mediator is None or manager is None:
        return 0
    cases = db.session.scalars(
        select(Case).join(CaseAssignment, CaseAssignment.case_id == Case.id)
        .join(Mediator, Mediator.id == CaseAssignment.mediator_id)
        .where(Mediator.user_id == mediator.id, Case.termination_ground == TerminationGround.AGREEMENT_SIGNED)
        .order_by(Case.id).limit(limit)).all()
    now = datetime.combine(today, time(6))
    drafting, finalising = Act(mediator.actor, now), Act(manager.actor, now)
    for index, case in enumerate(cases):
        language = (DocumentLanguage.BOTH, DocumentLanguage.KK, DocumentLanguage.RU)[index % 3]
        draft = documents.create_draft(drafting, case.id, DocumentKind.AGREEMENT, language)
        signed = case.terminated_on
        documents.save_fields(drafting, draft.id, draft.version, {
            "place": case.house.city, "signed_on": signed,
            "performance_check": "Медиатор 30 күннен кейін тараптармен бірге тексереді / "
                                 "Медиатор проверяет исполнение вместе со сторонами через 30 дней",
            "non_performance": "Орындалмаған жағдайда тарап сотқа жүгінеді / "
                               "При неисполнении сторона вправе обратиться в суд"}, language)
        for offset, (obliged, action) in enumerate(TERMS[: 2 + index % 2]):
            due = signed + timedelta(days=14 + offset)
            documents.add_term(drafting, draft.id, draft.version, Term(obliged, action, due))
        document_finalise.finalise(finalising, draft.id, draft.version, render=document_print.render_final,
                                   verify_url=document_print.verify_url)
    db.session.flush()
    return len(cases)
