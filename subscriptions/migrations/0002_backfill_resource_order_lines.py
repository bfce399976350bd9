"""Resources bought before `Resource.order_line_id` existed name the line that bought them: the refund of an
unsubscription finds what was paid through it (subscriptions/refunds.py). A completed new-purchase order's line
bought `subscription_num` resources of its product, created main lines first, in line order (trade/provisioning.py):
the order's resources without a line, in pk order, are matched to its lines' units in that order, main resources
to main lines and subordinates to subordinate lines. Rows already set are left alone."""

from django.db import migrations


def backfill(apps, schema_editor):
    Resource = apps.get_model("customers", "Resource")
    OrderLine = apps.get_model("trade", "OrderLine")
    order_ids = (Resource.objects.filter(order_line_id="").exclude(order_id="")
                 .values_list("order_id", flat=True).distinct())
    for order_id in order_ids.iterator():
        lines = list(OrderLine.objects.filter(order__order_id=order_id, order__order_type=1, order__status=5)
                     .select_related("product").order_by("id"))
        if not lines:
            continue
        resources = list(Resource.objects.filter(order_id=order_id, order_line_id="").order_by("pk"))
        for is_main in (True, False):
            pool = [r for r in resources if r.is_main_resource == is_main]
            for line in [line for line in lines if (line.parent_line_id is None) == is_main]:
                taken = [r for r in pool if r.product_id == line.product.product_id][:line.subscription_num]
                for resource in taken:
                    pool.remove(resource)
                    Resource.objects.filter(pk=resource.pk).update(order_line_id=line.line_id)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("trade", "0003_orderline_extra_days"),
        ("customers", "0008_resource_line_and_due_index"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
