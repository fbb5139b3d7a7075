"""Keeping a worker's long-lived objects out of the garbage collector's full passes (config.GC_FREEZE_AFTER_START).

create_app freezes what start-up built. The registry snapshot (services/registry_snapshot.py) is built later, on
the views that need it: a few tens of thousands of objects for 5,000 mediators, which every full collection
then rescanned (up to 39 ms each, 7 of them in 200 suggestions pages: p95 45 -> 33 ms, bench/RESULTS.md). So
the request after the snapshot grew by a region's worth freezes it too, first thing, before the request's own
work starts. That request pays for one full collection (tens of ms); a few edited mediators wait for more.
"""

import gc

from flask import Flask

from ..services import registry_snapshot

# Entries worth a full collection: about a region's mediators (a single edit reloads one).
FREEZE_AFTER = 100


def freeze_what_grew() -> None:
    """before_request: collect the garbage of earlier requests and freeze the rest if the snapshot grew."""
    if registry_snapshot.take_growth(FREEZE_AFTER):
        gc.collect()
        gc.freeze()


def register(app: Flask) -> None:
    """Install the hook in workers that freeze (not in the test suite, which builds an app per test)."""
    if app.config["GC_FREEZE_AFTER_START"]:
        app.before_request(freeze_what_grew)
