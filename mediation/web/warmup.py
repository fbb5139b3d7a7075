"""Warming a new worker's suggestion pools in the background from its first request (config.WARM_SUGGESTIONS).

A worker's first suggestions page of a region read that region's registry rows and built its pool, and the republic
pool's first page read all 5,000 (up to 400-500 ms, bench/RESULTS.md). The first request of any kind, usually the
login page, now starts one thread that does this for every region and republic pool in use, so a coordinator
arrives to a warm worker. Not at start-up itself: `flask` commands build the app too (migrations on an empty
database, the batch) and must not pay for it. A view that comes before the thread is done builds what it needs
itself, as before.
"""

import gc
import logging
import threading

from flask import Flask

from ..extensions import db
from ..mediators.profile import eligibility_thresholds
from ..services import contacts, registry_snapshot, suggestion_pools
from ..services.clock import local_date, utcnow

log = logging.getLogger(__name__)


def warm_now(app: Flask) -> int:
    """Build today's pools in an app context of their own; the number built (the thread's work, callable alone)."""
    contacts.load_library()  # imported on first use (services/contacts.py): here rather than in a view
    with app.app_context():
        try:
            built = suggestion_pools.warm(today=local_date(utcnow()), thresholds=eligibility_thresholds())
        finally:
            db.session.remove()
    if app.config["GC_FREEZE_AFTER_START"]:
        # What was just built lives as long as the worker: out of the collector's full passes at once, here rather
        # than on the request that would otherwise find the snapshot grown (web/gc_freeze.py).
        registry_snapshot.take_growth(0)
        gc.collect()
        gc.freeze()
    return built


def register(app: Flask) -> None:
    """Start the warming thread on the worker's first request, if configured."""
    if not app.config["WARM_SUGGESTIONS"]:
        return
    claim = threading.Lock()  # taken by the first request and never given back

    def run() -> None:
        try:
            log.info("suggestion pools warmed: %d", warm_now(app))
        except Exception:  # noqa: BLE001 - a failed warm-up only leaves the views to build their pools
            log.exception("warming the suggestion pools failed")

    @app.before_request
    def start_warming() -> None:
        if claim.acquire(blocking=False):
            app.extensions["suggestion_warmup"] = thread = threading.Thread(target=run, name="warm-suggestions",
                                                                             daemon=True)
            thread.start()
