"""What create_app does once per worker beyond wiring: the garbage collector's freeze after start-up."""

import gc

from config import ProductionConfig, TestingConfig
from mediation import create_app


def test_a_worker_freezes_what_start_up_built_and_the_test_suite_does_not():
    gc.unfreeze()
    try:
        create_app(TestingConfig)
        assert gc.get_freeze_count() == 0
        create_app(type("WorkerConfig", (TestingConfig,), {"GC_FREEZE_AFTER_START": True}))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert ProductionConfig.GC_FREEZE_AFTER_START is True
