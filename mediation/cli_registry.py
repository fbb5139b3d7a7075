"""Registry commands: import a CSV/XLSX file with a progress bar, export the registry."""

from pathlib import Path

import click
from sqlalchemy import select

from .domain.roles import Actor, Role
from .extensions import db
from .models import Mediator, Region
from .services import collector, registry_io
from .services.clock import local_date, utcnow

# The command line acts with the operator's rights over the whole registry; 0 is "no account".
OPERATOR = Actor(id=0, role=Role.ADMIN)


@click.group("mediators")
def mediators_cli():
    """The mediator registry."""


@mediators_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Write nothing if any row is wrong.")
def import_command(path: Path, strict: bool):
    """Import registry rows; every rejected row is printed with its line and reasons."""
    content = path.read_bytes()
    try:
        total = sum(1 for _ in registry_io.read_rows(content, path.name))
        with click.progressbar(length=total, label="Checking rows") as bar:
            report = registry_io.import_registry(OPERATOR, content, path.name, strict=strict, ip=None, now=utcnow(),
                                                 today=local_date(utcnow()), progress=bar.update)
    except registry_io.ImportFileInvalid as error:
        raise click.ClickException(f"file refused: {error.reason}") from None
    for row in report.rejected:
        click.echo(f"line {row.line} ({row.registry_number or '—'}): {', '.join(row.reasons)}", err=True)
    if not report.written:
        db.session.rollback()
        raise click.ClickException(f"nothing written: {len(report.rejected)} rows rejected (--strict)")
    db.session.commit()
    click.echo(f"created {report.created}, updated {report.updated}, rejected {len(report.rejected)}")


@mediators_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(path: Path):
    """Write the whole registry to a .csv or .xlsx file (the import format)."""
    mediators = list(db.session.scalars(select(Mediator).order_by(Mediator.registry_number)))
    kato = dict(db.session.execute(select(Region.id, Region.kato2)).all())
    rows = registry_io.export_rows(mediators, kato)
    path.write_bytes(registry_io.to_xlsx(rows) if path.suffix.lower() == ".xlsx" else registry_io.to_csv(rows))
    click.echo(f"{len(rows)} mediators written to {path}")


@click.group("assign")
def assign_cli():
    """Assigning mediators to cases."""


@assign_cli.command("auto")
@click.option("--region", "kato2", required=True, help="KATO2 code of the region.")
@click.option("--commit", is_flag=True, help="Write the assignments (without it: show the plan only).")
def assign_auto(kato2: str, commit: bool):
    """Plan (and with --commit, write) the assignment of every case awaiting a mediator in a region."""
    region_id = db.session.scalar(select(Region.id).where(Region.kato2 == kato2))
    if region_id is None:
        raise click.BadParameter(f"no region with KATO code {kato2}", param_hint="--region")
    # The batch pauses the collector for its own work (services/collector.py), but the plan it returns outlives that
    # pause: 10,000 planned cases with their explanations, which the first collection after it scans to free nothing
    # (11-31 ms in a PostgreSQL batch of 2,969 staffed cases). Here the pause covers the lines' making as well, and
    # ends once the plan is gone: a command has nothing else to do while it waits for its locks.
    with collector.paused():
        lines = _batch_lines(region_id, commit)
    click.echo("\n".join(lines))  # one write: an echo per line flushed 10,000 times (30 ms)


def _batch_lines(region_id: int, commit: bool) -> list[str]:
    """Plan or apply the region's batch (committed with `commit`): a line per case, then the summary."""
    from .mediators.profile import eligibility_thresholds
    from .services import assignment_batch

    manager = Actor(id=0, role=Role.MANAGER)  # the operator, with a republic manager's reach
    today = local_date(utcnow())
    if commit:
        plan = assignment_batch.apply_scope(manager, region_id, now=utcnow(), today=today,
                                            thresholds=eligibility_thresholds(), ip=None)
        db.session.commit()
    else:
        plan = assignment_batch.plan_scope(manager, region_id, today=today, thresholds=eligibility_thresholds())
    lines = []
    for planned in plan.planned:
        who = " + ".join(plan.names[m] for m in planned.mediator_ids) or f"— {planned.gap}"
        score = f"{planned.explanations[0].total:.2f}" if planned.explanations else ""
        lines.append(f"{plan.numbers[planned.case_id]}\t{who}\t{score}")
    lines.append(f"{plan.staffed} of {len(plan.planned)} cases {'assigned' if commit else 'can be assigned'}")
    return lines
