"""The public registry page."""

from flask import render_template, request

from ..domain.case_fields import LANGUAGES
from ..services import org as org_service
from ..services.registry_queries import RegistryFilter, public_registry
from ..web.access import public
from ..web.forms import id_value
from . import bp


@bp.get("/")
@public
def index():
    """Published fields only: name, register, specialisations, languages, certificate held, region, status."""
    args = request.args
    flt = RegistryFilter(region_id=id_value(args.get("region")),
                         language=args.get("language") if args.get("language") in LANGUAGES else None,
                         specialization=args.get("specialization") or None,
                         kind=args.get("kind") if args.get("kind") in ("professional", "public") else None,
                         query=args.get("q", "")[:100])
    entries, next_cursor = public_registry(flt, cursor=args.get("cursor"))
    regions = org_service.regions()
    return render_template("registry/index.html", entries=entries, next_cursor=next_cursor, flt=flt,
                           regions=regions, region_by_id={r.id: r for r in regions},
                           args={k: v for k, v in args.items() if k != "cursor"})
