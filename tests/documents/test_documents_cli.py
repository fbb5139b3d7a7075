"""`flask documents print` writes the filtered documents as one PDF or a ZIP, with a progress bar."""

import io
import zipfile

from pypdf import PdfReader

from mediation.extensions import db
from mediation.models import AuditEvent
from tests import document_factories as df


def test_print_writes_a_merged_pdf_and_a_zip(runner, org, tmp_path):
    setting = df.case_in_mediation(org)
    first = df.finalise(df.complete_agreement(setting), setting.manager)
    semey = df.case_in_mediation(org, house=org.semey_house, manager=setting.manager)
    other = df.finalise(df.complete_agreement(semey), setting.manager)
    db.session.commit()
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["documents", "print", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 documents" in result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == first.page_count + other.page_count
    zipped = tmp_path / "almaty.zip"
    result = runner.invoke(args=["documents", "print", "--region", "75", "--format", "zip", "-o", str(zipped)])
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(zipped).namelist() == [f"{first.number}.pdf"]
    assert zipfile.ZipFile(zipped).read(f"{first.number}.pdf") == first.pdf
    assert db.session.query(AuditEvent).filter_by(action="document.batch_printed").count() == 2


def test_print_refuses_an_unknown_region_and_an_empty_set(runner, org, tmp_path):
    result = runner.invoke(args=["documents", "print", "--region", "99", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no region" in result.output
    result = runner.invoke(args=["documents", "print", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no finalised documents" in result.output
    assert not (tmp_path / "x.pdf").exists()
