"""outbox.insert_from_select (PostgreSQL): the set-based INSERT follows record's rules — a row without a partner
is written only when it names a customer and the type is heard by the customer (record refuses the others), a
key already recorded is skipped, and the actor's columns are filled as record fills them."""

import pytest
from django.db import connection, transaction

from events import outbox
from events.models import Event

from ..conftest import actor_of
from .test_notifications import FOR_CUSTOMER, NEWS, World, registered

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db]


def _insert(type_code, rows, *, actor=None):
    """rows: (partner pk, customer pk, key) — written through a CTE as a caller would."""
    values = " UNION ALL ".join(
        "SELECT %s::bigint AS partner_id, %s::bigint AS customer_pk, NULL::bigint AS account_manager_id, "
        "'{}'::jsonb AS data, %s AS key" for _row in rows)
    told, params = outbox.insert_from_select(type_code, actor=actor, rows_sql=values,
                                             params=[v for row in rows for v in row])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"WITH told AS ({told}) SELECT 1", params)


def test_rows_that_would_tell_nobody_are_not_written_and_a_recorded_key_is_skipped():
    with registered(NEWS, FOR_CUSTOMER):
        world = World()
        actor = actor_of(world.admin)
        with transaction.atomic():
            _insert(NEWS.code, [(world.partner.pk, 7, "a"), (None, 7, "b")], actor=actor)
            _insert(FOR_CUSTOMER.code, [(None, 7, "c"), (None, None, "d")])
            _insert(NEWS.code, [(world.partner.pk, 8, "a")])
        assert list(Event.objects.order_by("id").values_list("type", "partner_id", "customer_pk", "key")) == [
            (NEWS.code, world.partner.pk, 7, "a"), (FOR_CUSTOMER.code, None, 7, "c")]
        first = Event.objects.get(key="a")
        assert (first.actor, first.actor_user_id) == (outbox._actor_label(actor), world.admin.user.pk)
        assert Event.objects.get(key="c").actor == "" and first.uid and first.created_at
