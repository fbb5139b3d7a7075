"""Fixtures of the service tests."""

import pytest

from tests.assignment_support import make_people


@pytest.fixture
def people(org):
    """The staff the assignment tests act as (tests/assignment_support.py)."""
    return make_people(org)
