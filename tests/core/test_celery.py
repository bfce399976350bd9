"""Celery end to end: a task sent through the configured broker (the file-system broker by default,
Redis when REDIS_URL is set) is run by a real worker, and running it again changes nothing."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from partnercenter import services, tasks
from partnercenter.celery import app
from partnercenter.models import Invitation

from ..conftest import actor_of

pytestmark = pytest.mark.django_db(transaction=True)


def _forget_cached_connections(app):
    """Drop what an eager task run earlier (an outbox dispatch) cached under the old settings: the result
    backend, and the producer pool that still points at the old broker folder."""
    from kombu import pools

    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None
    pools.reset()


@pytest.fixture
def real_broker(tmp_path):
    """The app as deployed (not eager); a private folder when the broker is the file system."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_transport_options", "result_backend")}
    app.conf.task_always_eager = False
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        app.conf.broker_transport_options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path),
                                             "control_folder": str(tmp_path / "control")}
    if not settings.CELERY_RESULT_BACKEND:
        app.conf.result_backend = "cache+memory://"  # the worker runs in a thread of this process
    _forget_cached_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.update(saved)
        _forget_cached_connections(app)


def test_a_task_sent_through_the_broker_runs_once_in_a_worker(tenant_a, real_broker):
    invitation, _token = services.invite_member(actor_of(tenant_a.admin), email="late@example.com", display_name="L")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))

    first = tasks.expire_invitations.delay().get(timeout=60)
    second = tasks.expire_invitations.delay().get(timeout=60)

    assert (first, second) == (1, 0)
    invitation.refresh_from_db()
    assert invitation.status == "expired"


def test_beat_schedule_names_existing_tasks():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
