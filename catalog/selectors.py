"""Reads of the catalogue: the lists the CBC endpoints page through, and the names every page shows in
place of a code (a service type, a resource type, a region).

The catalogue is reference data, the same for every tenant, so these selectors take no actor.

Names are looked up many times per page (one per row and column), so they come from a process cache:
each table is loaded once into a dict keyed by code and kept while the catalogue's version (a number in
Django's cache, shared by every process) is unchanged. Saving or deleting a service type, resource type or
region bumps the version (at once, and again when its transaction commits, so a process that reloaded in
between reloads again) and drops this process's copy. A process checks the shared version at most once a
second and at the start of every request, so another process's change shows within a second.
"""

import time

from django.core.cache import cache
from django.core.signals import request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Conversion, MeasureUnit, Product, Region, ResourceType, ServiceType, UsageType

__all__ = [
    "service_type_names", "resource_type_names", "region_names", "usage_type_names", "name_of_service_type",
    "name_of_resource_type", "name_of_region", "clear_cache", "service_types", "resource_types", "usage_types", "measure_units",
    "conversions", "products_on_sale", "NAMED_MODELS",
]

VERSION_KEY = "catalog:names:version"
RECHECK_SECONDS = 1.0

# (model, what its rows are keyed by) — the tables whose names pages show
# (usage types by their code alone: the same code names the same factor — Duration, upflow — whatever the resource)
NAMED_MODELS = {"service_types": ServiceType, "resource_types": ResourceType, "regions": Region,
                "usage_types": UsageType}

_state = {"version": None, "checked": 0.0, "tables": {}}


def _shared_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _tables() -> dict:
    """This process's loaded tables, dropped when the shared version moved since they were loaded."""
    now = time.monotonic()
    if now - _state["checked"] >= RECHECK_SECONDS:
        version = _shared_version()
        if version != _state["version"]:
            _state["tables"] = {}
            _state["version"] = version
        _state["checked"] = now
    return _state["tables"]


def _table(name: str) -> dict:
    tables = _tables()
    rows = tables.get(name)
    if rows is None:
        rows = {row.code: row for row in NAMED_MODELS[name].objects.all()}
        tables[name] = rows
    return rows


def clear_cache() -> None:
    """Forget this process's copy (the next lookup reloads); tests call it between cases."""
    _state.update(version=None, checked=0.0, tables={})


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from every process's copy
        cache.set(VERSION_KEY, int(time.time() * 1000), timeout=None)


def _changed(sender, **kwargs):
    clear_cache()
    _bump()
    transaction.on_commit(_bump)


def _new_request(sender, **kwargs):
    _state["checked"] = 0.0  # check the shared version once at the start of every request


def connect_signals():
    for model in NAMED_MODELS.values():
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-names-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-names-delete-{model.__name__}")
    request_started.connect(_new_request, dispatch_uid="catalog-names-request")


def service_type_names() -> dict[str, ServiceType]:
    """Every service type by its code (cached)."""
    return _table("service_types")


def resource_type_names() -> dict[str, ResourceType]:
    """Every resource type by its code (cached)."""
    return _table("resource_types")


def region_names() -> dict[str, Region]:
    """Every region by its code (cached)."""
    return _table("regions")


def usage_type_names() -> dict[str, UsageType]:
    """Every usage type by its code (cached)."""
    return _table("usage_types")


def _name(rows: dict, code) -> str:
    row = rows.get(code) if code else None
    return row.display_name if row is not None else (code or "")


def name_of_service_type(code: str) -> str:
    """The service type's name in the active language; the code itself when the catalogue has no such type."""
    return _name(service_type_names(), code)


def name_of_resource_type(code: str) -> str:
    return _name(resource_type_names(), code)


def name_of_region(code: str) -> str:
    return _name(region_names(), code)


# -------------------------------------------------------------------------------------------------
# The lists of the CBC endpoints
# -------------------------------------------------------------------------------------------------

def service_types():
    return ServiceType.objects.order_by("code")


def resource_types():
    """Resource types by code, with their service type."""
    return ResourceType.objects.select_related("service_type").order_by("code")


def usage_types():
    return UsageType.objects.select_related("resource_type__service_type").order_by("resource_type__code", "code", "pk")


def measure_units():
    return MeasureUnit.objects.order_by("measure_id")


def conversions():
    return Conversion.objects.order_by("measure_type", "measure_id", "ref_measure_id")


def products_on_sale():
    """Products on sale, by spec code (resource-specs-query pages through them with a marker)."""
    return Product.objects.filter(is_active=True).select_related("service_type", "resource_type", "region").order_by(
        "resource_spec", "pk")
