"""List counters (rule 7): the ListCount table and, on PostgreSQL, the pending changes folded into it at
COMMIT. The apps' migrations put the triggers on their tables (see _counting.py)."""

import django.db.models.deletion
from django.db import migrations, models

from ._counting import CreatePendingCounts


class Migration(migrations.Migration):

    dependencies = [
        ('partnercenter', '0002_confirmation_token'),
    ]

    operations = [
        migrations.CreateModel(
            name='ListCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('list_name', models.CharField(max_length=32)),
                ('scope', models.BigIntegerField(default=0)),
                ('count', models.BigIntegerField(default=0)),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partnercenter.partner')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('partner', 'list_name', 'scope'), name='list_count_unique')],
            },
        ),
        CreatePendingCounts(),
    ]
