"""The demo's sales tasks and entrustment: created once, so running the seed again adds nothing."""

from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps

from events.models import Event
from expansion import demo_tasks
from expansion.choices import EntrustmentStatus, TaskStatus
from expansion.models import Entrustment, SalesTask, TaskProgress
from expansion.selectors_tasks import entrusted_tasks_for, tasks_for, today
from partnercenter.actors import actor_for_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_tasks_and_one_entrustment_once():
    ctx = {"partners": {}, "members": {}, "logins": [], "access_keys": []}
    # the apps expansion builds on, in the order seed_demo runs them (up to customers)
    for app_config in apps.get_app_configs():
        if find_spec(f"{app_config.name}.demo") is not None:
            import_module(f"{app_config.name}.demo").seed(ctx)
        if app_config.name == "customers":
            break
    demo_tasks.seed(ctx)
    counts = (SalesTask.objects.count(), TaskProgress.objects.count(), Entrustment.objects.count(),
              Event.objects.count())
    demo_tasks.seed(ctx)
    assert (SalesTask.objects.count(), TaskProgress.objects.count(), Entrustment.objects.count(),
            Event.objects.count()) == counts

    hz, bj = ctx["partners"]["hz"], ctx["partners"]["bj"]
    assert Entrustment.objects.get().reseller == hz and Entrustment.objects.get().status == EntrustmentStatus.ACTIVE
    assert {t.status for t in SalesTask.objects.filter(partner=bj)} == {
        TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.CLOSED}
    assert SalesTask.objects.filter(partner=bj, due_date__lt=today()).count() == 2
    # the distributor sees the entrusted reseller's tasks; an account manager its own customers' only
    assert entrusted_tasks_for(actor_for_user(ctx["members"]["hd.admin"].user)).count() == 3
    am = actor_for_user(ctx["members"]["bj.am2"].user)
    assert {t.customer.associations.get(ended_on__isnull=True).account_manager_id for t in tasks_for(am)} == {
        ctx["members"]["bj.am2"].pk}
