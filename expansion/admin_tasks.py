"""The operator screens of the tasks area.

- Sales tasks: every partner's tasks, searchable and filterable, read-only with their progress; adding one
  assigns it (expansion.tasks_sales.assign_task: a renewal reminder, an upgrade or a follow-up for a customer
  associated with the partner now, due today or later; logged under the partner, which is told). Tasks are
  not changed or deleted here: they are the partner's to work and close.
- Entrustments: read-only (a cloud reseller entrusts and cancels from its own side).
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import tasks_sales
from .forms_tasks import AssignTaskForm
from .models import Entrustment, SalesTask, TaskProgress

FIELDS = ["partner", "customer", "kind", "title", "description", "due_date"]


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class ProgressInline(admin.TabularInline):
    model = TaskProgress
    extra = 0
    fields = ["created_at", "created_by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SalesTask)
class SalesTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "customer", "kind", "due_date", "status", "created_at", "closed_at"]
    list_filter = ["kind", "status", "due_date"]
    list_select_related = ["partner", "customer"]
    search_fields = ["title", "partner__name", "partner__account_name", "customer__domain_name",
                     "customer__real_name", "customer__domain_id"]
    raw_id_fields = ["partner", "customer"]
    date_hierarchy = "due_date"
    inlines = [ProgressInline]
    form = AssignTaskForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return FIELDS
        return FIELDS + ["status", "result", "created_by", "created_at", "closed_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False  # read-only once assigned: the partner works and closes it

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            task = tasks_sales.assign_task(
                _actor(request), partner=data["partner"], customer=data["customer"], kind=data["kind"],
                title=data["title"], description=data.get("description", ""), due_date=data["due_date"])
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
        else:
            obj.pk = task.pk

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


@admin.register(Entrustment)
class EntrustmentAdmin(admin.ModelAdmin):
    list_display = ["reseller", "distributor", "status", "created_by", "created_at", "cancelled_at"]
    list_filter = ["status"]
    list_select_related = ["reseller", "distributor"]
    search_fields = ["reseller__name", "reseller__account_name", "distributor__name", "distributor__account_name"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


__all__ = ["SalesTaskAdmin", "EntrustmentAdmin", "ProgressInline"]
