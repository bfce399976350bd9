"""Fixtures of the catalogue tests: the demo catalogue, and a fresh name cache for every test (the
database rolls back between tests, the process cache would not)."""

import pytest

from catalog import selectors


@pytest.fixture(autouse=True)
def _fresh_names():
    selectors.clear_cache()
    yield
    selectors.clear_cache()


@pytest.fixture
def catalogue(db):
    from catalog.demo import seed_catalog

    seed_catalog()
