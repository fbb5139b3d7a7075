"""`flask documents print`: the registry's batch print from the command line, with a progress bar."""

from datetime import date

import click
from sqlalchemy import select

from .domain.agreement import DocumentKind, DocumentStatus
from .domain.roles import Actor, Role
from .extensions import db
from .services.document_queries import DocumentFilter, merged_pdf, printable, stored_pdfs, zip_of

# The command line runs with the operator's shell rights: a republic-wide manager without an account (id 0).
SYSTEM = Actor(id=0, role=Role.MANAGER)


@click.group("documents")
def documents_cli():
    """Settlement documents."""


@documents_cli.command("print")
@click.option("--region", "region_kato", help="KATO2 code of the region.")
@click.option("--house-id", type=int, help="Friendship House id.")
@click.option("--kind", type=click.Choice([k.value for k in DocumentKind]))
@click.option("--status", type=click.Choice([DocumentStatus.FINAL.value, DocumentStatus.SUPERSEDED.value]))
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Finalised on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Finalised on or before (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "zip"]), default="pdf", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=100_000, show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
def print_documents(region_kato, house_id, kind, status, date_from, date_to, fmt, limit, output):
    """Write the stored PDFs of the filtered documents as one merged PDF or a ZIP."""
    from .models import Region
    from .services import audit
    from .services.clock import utcnow

    region_id = None
    if region_kato:
        region_id = db.session.scalar(select(Region.id).where(Region.kato2 == region_kato))
        if region_id is None:
            raise click.BadParameter(f"no region with KATO code {region_kato}", param_hint="--region")
    flt = DocumentFilter(region_id=region_id, house_id=house_id, kind=DocumentKind(kind) if kind else None,
                         status=DocumentStatus(status) if status else None,
                         date_from=_day(date_from), date_to=_day(date_to))
    items = printable(SYSTEM, flt, limit=limit)
    if len(items) > limit:
        raise click.ClickException(f"more than {limit} documents match; narrow the filters or raise --limit")
    if not items:
        raise click.ClickException("no finalised documents match the filters")
    with click.progressbar(length=len(items), label=f"{len(items)} documents") as bar:
        body = (zip_of if fmt == "zip" else merged_pdf)(stored_pdfs(items), progress=bar.update)
    with open(output, "wb") as handle:
        handle.write(body)
    audit.record("document.batch_printed", actor_id=None, ip=None, object_type="document",
                 summary={"count": len(items), "format": fmt, "cli": True}, now=utcnow())
    db.session.commit()
    click.echo(f"wrote {len(items)} documents to {output} ({len(body) // 1024} KB)")


def _day(value) -> date | None:
    return value.date() if value else None
