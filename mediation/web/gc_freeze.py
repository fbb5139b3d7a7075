"""Keeping a worker's long-lived objects out of the garbage collector's full passes (config.GC_FREEZE_AFTER_START).

create_app freezes what start-up built. Two things are built later, on the requests that need them: the registry
snapshot (services/registry_snapshot.py: a few tens of thousands of objects for 5,000 mediators, which every full
collection then rescanned, up to 39 ms each, 7 of them in 200 suggestions pages: p95 45 -> 33 ms,
bench/RESULTS.md) and the PDF engine (WeasyPrint's modules, fonts and caches, on the first render). So the request
after either grew collects and freezes first thing, before the app's own hooks; that request pays for one full
collection (tens of ms), once per region's worth of snapshot entries and once per engine. In a threaded worker,
a request in flight at that moment is frozen with them: its objects are still freed when nothing refers to them,
only reference cycles among them are never collected (a bounded leak each time).
"""

import gc

from flask import Flask

from .. import pdf
from ..services import registry_snapshot

# Entries worth a full collection: about a region's mediators (a single edit reloads one).
FREEZE_AFTER = 100


def freeze_what_grew() -> None:
    """before_request: if the snapshot or the PDF engine grew, collect earlier requests' garbage, freeze the rest."""
    # Both asked, so each flag is taken: `or` would leave the second for a later request.
    if registry_snapshot.take_growth(FREEZE_AFTER) | pdf.take_new_engine():
        gc.collect()
        gc.freeze()


def register(app: Flask) -> None:
    """Install the hook in workers that freeze (not in the test suite, which builds an app per test)."""
    if app.config["GC_FREEZE_AFTER_START"]:
        app.before_request(freeze_what_grew)
