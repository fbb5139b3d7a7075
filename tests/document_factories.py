"""Document builders for tests: a case in mediation with its mediator, a complete agreement draft, finalising.

Like the other factories these flush but never commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from mediation import document_print
from mediation.domain.agreement import DocumentKind, DocumentLanguage, Term
from mediation.extensions import db
from mediation.models import Case, Document, User
from mediation.services import document_finalise, documents
from mediation.services.clock import utcnow
from mediation.services.documents import Act
from tests import case_factories as cf
from tests import factories

NAMES = ("Әлия Ғабитқызы Нұрбекова", "Иван Петрович Сидоров")


@dataclass
class Setting:
    """A case in mediation, its mediator (with an account) and a republic-wide manager."""

    case: Case
    mediator: User
    manager: User


def case_in_mediation(org, *, names=NAMES, house=None, mediator: User | None = None,
                      manager: User | None = None) -> Setting:
    """Register a case with two parties who have IINs and addresses, assign the mediator, sign the contract."""
    house = house or org.republican_house
    manager = manager or factories.make_user("manager", full_name="Менеджер Басшы")
    if mediator is None:
        mediator, registry_row = cf.make_mediator_user(org, house=house, full_name="Медиатор Әділов")
    else:
        registry_row = db.session.query(cf.Mediator).filter_by(user_id=mediator.id).one()
    received = cf.today() - timedelta(days=5)
    parties = (cf.party(names[0], cf.PartyRole.APPLICANT, iin_bin=cf.iin(), address="Алматы, Абай даңғылы 1",
                        phone="+77011234567"),
               cf.party(names[1], cf.PartyRole.RESPONDENT, iin_bin=cf.iin(), address="Алматы, Сейфуллин к-сі 2",
                        phone="+77017654321"))
    case = cf.register(manager, house, received_on=received, parties=parties)
    cf.advance(case, "in_mediation", manager, lead_id=registry_row.id, signed_on=received + timedelta(days=1))
    return Setting(case=case, mediator=mediator, manager=manager)


def act(user: User, now=None) -> Act:
    """The user acting now."""
    return Act(actor=user.actor, now=now or utcnow(), ip="127.0.0.1")


def complete_agreement(setting: Setting, *, terms: int = 2, language=DocumentLanguage.BOTH,
                       action: str = "Қоршауды жөндейді: әкімдік, ғимарат, қақпа, өңір, ұлттық үй, шаһар") -> Document:
    """A draft agreement with every required item, drafted by the case's mediator through the services."""
    mediator = setting.mediator
    document = documents.create_draft(act(mediator), setting.case.id, DocumentKind.AGREEMENT, language)
    fields = {"place": "Алматы", "signed_on": cf.today(), "performance_check": "Медиатор 10 күн сайын тексереді",
              "non_performance": "Тарап сотқа жүгінуге құқылы", "partial": False, "unresolved": ""}
    documents.save_fields(act(mediator), document.id, document.version, fields, language)
    for index in range(terms):
        obliged = "1" if index % 2 == 0 else "2"
        due = cf.today() + timedelta(days=10 + index)
        documents.add_term(act(mediator), document.id, document.version, Term(obliged, f"{action} {index + 1}", due))
    return document


def finalise(document: Document, manager: User) -> Document:
    """Finalise as the manager, rendering the real PDF."""
    return document_finalise.finalise(act(manager), document.id, document.version,
                                      render=document_print.render_final, verify_url=document_print.verify_url)


def day(offset: int = 0) -> date:
    """Today in Kazakhstan plus offset days."""
    return cf.today() + timedelta(days=offset)
