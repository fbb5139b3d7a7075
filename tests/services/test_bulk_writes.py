"""insert_rows (services/bulk_writes.py): what goes in comes back, on both engines (COPY on PostgreSQL)."""

from sqlalchemy import select

from mediation.extensions import db
from mediation.models import CaseAssignment, CaseEvent
from mediation.services.bulk_writes import insert_rows
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED

# COPY's text format gives tab, newline, backslash and \N meanings of their own: each must arrive as written.
AWKWARD = "tab\there\nnew line \\N back\\slash «Достық» 'quote' \"double\" ;,|"


def test_rows_arrive_as_written_with_json_nulls_and_awkward_text(org, people):
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    explanation = {"total": 1.25, "factors": [{"factor": "language_fit", "raw": None, "note": AWKWARD}],
                   "batch": True}
    insert_rows(CaseAssignment.__table__, [
        {"case_id": case.id, "mediator_id": mediator.id, "role": "lead", "status": "proposed", "assigned_at": NOW,
         "assigned_by_id": None, "explanation": explanation, "ethnicity_used": False}])
    insert_rows(CaseEvent.__table__, [
        {"case_id": case.id, "at": NOW, "actor_id": None, "kind": "assigned", "from_state": None,
         "to_state": "assigned", "reason": AWKWARD, "data": {"mediators": [mediator.id], "text": AWKWARD}},
        # the same keys in another order: values go by name, as executemany binds them
        {"data": {}, "reason": None, "to_state": None, "from_state": None, "kind": "note",
         "actor_id": people.coordinator.id, "at": NOW, "case_id": case.id}])
    insert_rows(CaseEvent.__table__, [])  # nothing to write is no error
    db.session.commit()
    db.session.expire_all()

    written = db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case.id)).one()
    assert (written.mediator_id, written.role, written.status) == (mediator.id, "lead", "proposed")
    assert written.assigned_at == NOW and written.assigned_by_id is None and written.ethnicity_used is False
    assert written.explanation == explanation
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.at == NOW)
                                .order_by(CaseEvent.id)).all()
    assert [(e.kind, e.reason, e.actor_id) for e in events] == [("assigned", AWKWARD, None),
                                                               ("note", None, people.coordinator.id)]
    assert events[0].data == {"mediators": [mediator.id], "text": AWKWARD} and events[1].data == {}
