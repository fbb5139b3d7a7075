"""Settlement documents: drafts built with the parties, finalising with a registry number, the PDF, the registry."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from . import drafting, filing, registry, routes  # noqa: E402,F401
from .common import register_labels  # noqa: E402

register_labels(bp)
