"""Idempotency keys belong to the access key that sent them, not to its partner: another key of the same
partner (another member, other rights) never gets a stored response. Stored keys live 24 hours and are
dropped here rather than guessed at: a retry after the upgrade runs as a first request."""

import django.db.models.deletion
from django.db import migrations, models


def forget_stored_keys(apps, schema_editor):
    apps.get_model("billing", "IdempotencyKey").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0001_initial"),
        ("partnercenter", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_stored_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="idempotencykey", name="idempotency_key_unique_per_owner"),
        migrations.RemoveField(model_name="idempotencykey", name="owner"),
        migrations.AddField(
            model_name="idempotencykey",
            name="access_key",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="partnercenter.accesskey"),
        ),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(fields=("access_key", "key"), name="idempotency_key_unique_per_access_key"),
        ),
    ]
