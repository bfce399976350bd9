"""Fixtures of the programmes tests: the definitions operators would enter (programs/catalogue.py)."""

import pytest

from programs.catalogue import seed_definitions


@pytest.fixture
def programmes(db):
    seed_definitions()
