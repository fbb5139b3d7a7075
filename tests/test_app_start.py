"""What create_app does once per worker beyond wiring: the garbage collector's freeze, WeasyPrint left for later."""

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from config import ProductionConfig, TestingConfig
from mediation import create_app
from mediation.services import registry_snapshot


def _run_child(script: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a child Python script from the project's root; its traceback is the failure's message."""
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_worker_freezes_what_start_up_built_and_the_test_suite_does_not():
    gc.unfreeze()
    try:
        create_app(TestingConfig)
        assert gc.get_freeze_count() == 0 and gc.isenabled()
        create_app(type("WorkerConfig", (TestingConfig,), {"GC_FREEZE_AFTER_START": True}))
        assert gc.get_freeze_count() > 10_000
        assert gc.isenabled()  # paused while the app was built (services/collector.py), on again after
    finally:
        gc.unfreeze()
    assert ProductionConfig.GC_FREEZE_AFTER_START is True


def test_weasyprint_is_imported_on_the_first_render_and_frozen_with_the_start_up_objects(tmp_path):
    # A child process: this one has imported WeasyPrint already. The CLI and the web workers build the app
    # without it (over a second of imports); the first renderer brings it in and, in a worker that froze its
    # start-up objects, the request after its first render freezes it too.
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import gc, sys
        from pathlib import Path
        from config import TestingConfig
        from mediation import create_app, pdf
        from mediation.web import gc_freeze
        app = create_app(type("WorkerConfig", (TestingConfig,), {"GC_FREEZE_AFTER_START": True}))
        print("weasyprint" in sys.modules, gc.get_freeze_count())
        root = Path(app.root_path).parent
        engine = pdf.renderer(Path(app.static_folder), root / "templates" / "pdf" / "print.css")
        gc_freeze.freeze_what_grew()  # the next request's first hook: nothing rendered yet, nothing to freeze
        print("weasyprint" in sys.modules, gc.get_freeze_count())
        engine.render("<p>Келісім</p>", max_pages=1)
        gc_freeze.freeze_what_grew()
        print("weasyprint" in sys.modules, gc.get_freeze_count())
    """))
    result = _run_child(script)
    (start, frozen_start), (built, frozen_built), (rendered, frozen_rendered) = (
        line.split() for line in result.stdout.splitlines())
    assert (start, built, rendered) == ("False", "True", "True")
    # Frozen objects can only die until the hook freezes again; WeasyPrint brings tens of thousands
    assert int(frozen_start) > 10_000 and int(frozen_built) <= int(frozen_start)
    assert int(frozen_rendered) > int(frozen_built) + 10_000


def test_a_freezing_worker_freezes_again_on_the_request_after_the_registry_snapshot_grew(monkeypatch):
    grown = iter([True, False])
    monkeypatch.setattr(registry_snapshot, "take_growth", lambda minimum: next(grown))
    gc.unfreeze()
    try:
        client = create_app(type("WorkerConfig", (TestingConfig,), {"GC_FREEZE_AFTER_START": True})).test_client()
        started = gc.get_freeze_count()
        junk = [[n] for n in range(1000)]  # objects made after start-up, alive when the hook runs
        client.get("/auth/login")
        after_growth = gc.get_freeze_count()
        assert after_growth >= started + len(junk)
        client.get("/auth/login")
        assert gc.get_freeze_count() == after_growth  # no growth: no new freeze
    finally:
        gc.unfreeze()
    # The test suite's apps never install the hook
    assert "freeze_what_grew" not in {f.__name__ for f in create_app(TestingConfig).before_request_funcs[None]}


def test_building_the_app_leaves_the_file_format_libraries_to_the_features_that_use_them(tmp_path):
    # Every CLI command and every worker builds the app; XLSX, PDF merging, iCalendar, QR codes, phone numbers
    # and e-mail checks are used by a few features only (0.35 s of imports together). A child process, as this one
    # has imported them.
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import sys
        from config import TestingConfig
        from mediation import create_app
        from mediation.services import case_export, contacts
        create_app(TestingConfig)
        late = ("openpyxl", "pypdf", "icalendar", "qrcode", "weasyprint", "alembic", "phonenumbers",
                "email_validator")
        print(*(name in sys.modules for name in late))
        case_export.to_xlsx([])
        print("openpyxl" in sys.modules, contacts.normalise_phone("8 701 123 45 67"), "phonenumbers" in sys.modules)
    """))
    result = _run_child(script)
    at_start, after_use = result.stdout.splitlines()
    assert at_start.split() == ["False"] * 8
    assert after_use.split() == ["True", "+77011234567", "True"]


def test_the_flask_command_line_leaves_alembic_to_the_db_commands(tmp_path):
    # `flask` loads every installed plugin's commands before running one; Alembic (a sixth of a batch
    # auto-assign from the CLI) must come in only when a `db` command runs.
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import sys
        from flask.cli import cli
        cli.main(["--app", "mediation", "--help"], standalone_mode=False)
        print("alembic" in sys.modules)
        cli.main(["--app", "mediation", "db", "heads"], standalone_mode=False)
        print("alembic" in sys.modules)
    """))
    result = _run_child(script, {"MEDIATION_INSTANCE_DIR": str(tmp_path),
                                 "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    lines = result.stdout.splitlines()
    flags = [line for line in lines if line in ("True", "False")]
    assert flags == ["False", "True"]
    assert any("(head)" in line for line in lines)
    assert "  db " in result.stdout  # the command is listed by --help
