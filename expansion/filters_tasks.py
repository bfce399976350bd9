"""The query conditions of 销售拓展任务 (我的客户 and an entrusted reseller's tasks), shared by the page and its
export: the customer (name, account name or account ID), the task type, the status (or overdue) and the due
date range."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.filters import ALL, ListFilterSet
from partnercenter.widgets import DatePicker

from . import selectors_tasks
from .choices import TaskKind, TaskStatus
from .models import SalesTask

__all__ = ["TaskFilter", "OVERDUE"]

OVERDUE = "overdue"
DATE = DatePicker()


class TaskFilter(ListFilterSet):
    customer = django_filters.CharFilter(label=_("Customer name/account"), method="customer_matches", max_length=128)
    kind = django_filters.ChoiceFilter(label=_("Task type"), choices=TaskKind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("Status"), method="status_matches", empty_label=ALL,
        choices=[*TaskStatus.choices, (OVERDUE, pgettext_lazy("expansion status", "overdue"))])
    due_from = django_filters.DateFilter(label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DATE)
    due_to = django_filters.DateFilter(label=_("Due to"), field_name="due_date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = SalesTask
        fields = []

    def customer_matches(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(customer__domain_name__icontains=value) | Q(customer__real_name__icontains=value)
                               | Q(customer__domain_id=value))

    def status_matches(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.exclude(status=TaskStatus.CLOSED).filter(due_date__lt=selectors_tasks.today())
        return queryset.filter(status=value)
