"""The demo seed finalises agreements through the real services: numbered, stored, verifiable."""

import hashlib

from sqlalchemy import select

from mediation.domain.agreement import DocumentStatus
from mediation.extensions import db
from mediation.models import Document
from mediation.seed import seed_demo
from tests.case_factories import today


def test_demo_seed_has_finalised_agreements(app, client):
    report = seed_demo(password="demo password 42", today=today(), fast_hash=True, case_count=150)
    db.session.commit()
    finalised = list(db.session.scalars(select(Document).where(Document.status == DocumentStatus.FINAL)))
    assert report.documents == len(finalised) >= 1
    for document in finalised:
        assert document.number and hashlib.sha256(document.pdf).hexdigest() == document.sha256
        assert len(document.content["terms"]) >= 2
    assert client.get(f"/verify/{finalised[0].verify_token}").status_code == 200
