# The package use's check rounds its sum to the columns' 6 decimals (SQLite keeps them as binary floats).

import django.db.models.expressions
import django.db.models.functions.math
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bills', '0002_partner_paid'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='packageuse',
            name='package_use_adds_up',
        ),
        migrations.AddConstraint(
            model_name='packageuse',
            constraint=models.CheckConstraint(condition=models.Q(('available_before', django.db.models.functions.math.Round(django.db.models.expressions.CombinedExpression(models.F('used_amount'), '+', models.F('remaining_after')), 6)), ('remaining_after__gte', 0), ('used_amount__gt', 0)), name='package_use_adds_up'),
        ),
    ]
