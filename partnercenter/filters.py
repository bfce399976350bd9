"""What every list's FilterSet shares (django-filter): one FilterSet per list, used by its page, its
export and its CBC endpoint, so a filter means the same thing wherever it is applied.

- Pages bind the query string: `SomeFilter(request.GET or None, queryset=…, request=request)`; the
  FilterSet's `.form` is the filter bar, `.qs` the filtered rows. A field the user got wrong shows its
  error on the form and filters nothing, the others still apply.
- Endpoints pass the serializer's validated data with `SomeFilter.from_wire(data, queryset)`: `wire`
  maps a CBC field name to the filter's name where the two differ (`associated_on_begin` →
  `associated_from`), `wire_values` a CBC enum value to the filter's value where those differ
  (`BALANCE_TYPE_DEBIT` → cash and allocated). Filters only the API offers are left out of the page's
  filter bar by `page_filters`.
- Time ranges take a date from a page's date picker (the whole day in the current time zone) or an
  exact moment from the API (`MomentFilter`).
"""

from datetime import datetime, time
from datetime import timezone as dt_timezone

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OperationResult
from .errors import Codes, DomainError
from .models import OperationLog, Partner
from .widgets import DatePicker

__all__ = ["ListFilterSet", "MomentFilter", "ValuesFilter", "grouped", "ALL", "ResellerFilter", "OperationLogFilter"]

ALL = _("All")  # the empty choice of every choice filter


class MomentField(forms.DateField):
    """A date from a date picker (its first or last moment) or, from the API, an exact datetime."""

    widget = DatePicker()

    def __init__(self, *, end=False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime):
            moment = value if timezone.is_aware(value) else timezone.make_aware(value)
        else:
            day = super().to_python(value)
            if day is None:
                return None
            moment = timezone.make_aware(datetime.combine(day, time.max if self.end else time.min))
        try:  # the database compares in UTC: 0001-01-01 in China time has no UTC moment
            moment.astimezone(dt_timezone.utc)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return moment


class MomentFilter(django_filters.Filter):
    """`field_name >= moment` (or `<=` with `end=True`)."""

    field_class = MomentField

    def __init__(self, *args, end=False, **kwargs):
        kwargs.setdefault("lookup_expr", "lte" if end else "gte")
        super().__init__(*args, **kwargs)
        self.extra["end"] = end


def _values(data, name):
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    return value if isinstance(value, (list, tuple)) or value is None else [value]


class _ValuesSelect(forms.Select):
    """A single-choice select on the page whose value is a list, as the API sends it."""

    def value_from_datadict(self, data, files, name):
        return _values(data, name)


class _ValuesText(forms.TextInput):
    """One text box on the page whose value is a list, as the API sends it."""

    def value_from_datadict(self, data, files, name):
        return _values(data, name)

    def format_value(self, value):
        return ", ".join(str(item) for item in value) if isinstance(value, (list, tuple)) else value


class ValuesField(forms.Field):
    """A list of values; with `choices`, each must be one of them (shown on a page as a select, else as
    a text box)."""

    widget = _ValuesText

    def __init__(self, *, choices=None, coerce=str, **kwargs):
        self.choices, self.coerce = choices, coerce
        if choices is not None:
            kwargs.setdefault("widget", _ValuesSelect(choices=[("", ALL), *choices]))
        super().__init__(**kwargs)

    def to_python(self, value):
        items = [str(item).strip() for item in value or () if str(item).strip() != ""]
        if self.choices is not None:
            allowed = {str(key) for key, _label in self.choices}
            if any(item not in allowed for item in items):
                raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice")
        try:
            return [self.coerce(item) for item in items]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice") from None


class ValuesFilter(django_filters.Filter):
    """`field_name IN (…)` for a list: repeated query parameters (or one select) on a page, a JSON list
    from the API."""

    field_class = ValuesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class ListFilterSet(django_filters.FilterSet):
    wire: dict[str, str] = {}  # CBC field name → filter name, where they differ
    # CBC field name → {CBC value: filter value}, where the enums differ; a value outside the map is no
    # filter (as Huawei answers "携带值为非枚举值时，不作为筛选条件").
    wire_values: dict[str, dict] = {}
    page_filters: tuple[str, ...] | None = None  # the filters a page's filter bar offers (None: all)

    def __init__(self, data=None, queryset=None, *, wire=False, only=None, **kwargs):
        if only is not None:
            # Only these filters are built (from_wire: the ones given a value) — django-filter deep-copies
            # every filter of the class and builds a form field for each, per request.
            self.base_filters = {name: flt for name, flt in type(self).base_filters.items() if name in only}
        super().__init__(data, queryset, **kwargs)
        self.on_page = not wire
        if not wire and self.page_filters is not None:
            self.filters = {name: flt for name, flt in self.filters.items() if name in self.page_filters}

    def get_form_class(self):
        """On a page, a range given backwards (`x_from` after `x_to`) is an error under its end, which is then
        not applied — rather than an empty list with no hint. (An endpoint's reversed range finds nothing, as
        Huawei's does.)"""
        form_class = super().get_form_class()
        pairs = [(name, name[:-len("_from")] + "_to") for name in self.filters
                 if name.endswith("_from") and name[:-len("_from")] + "_to" in self.filters]
        if not self.on_page or not pairs:
            return form_class

        class RangeForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for start, end in pairs:
                    first, last = cleaned.get(start), cleaned.get(end)
                    if first is not None and last is not None and first > last:
                        self.add_error(end, _("This comes before the start of the range."))
                return cleaned

        return RangeForm

    @classmethod
    def from_wire(cls, data, queryset, **kwargs):
        """The filtered queryset for an endpoint's validated data (None, "" and [] are no filter). What
        the serializer let through and a filter still refuses is CBC.0100, never silently ignored."""
        bound = {}
        for name, value in data.items():
            if name in cls.wire_values:
                value = cls.wire_values[name].get(value)
            if value not in (None, "", []):
                bound[cls.wire.get(name, name)] = value
        bound = {name: value for name, value in bound.items() if name in cls.base_filters}
        if not bound:
            # Nothing to filter by (the common request): skip building the FilterSet and its form, whose
            # deep copies of every filter cost more than the page query itself. An empty filter changes
            # nothing — every filter, `method=` ones included, passes empty values through.
            return queryset
        filterset = cls(bound, queryset=queryset, wire=True, only=set(bound), **kwargs)
        if not filterset.is_valid():
            name, errors = next(iter(filterset.errors.items()))
            name = next((cbc for cbc, own in cls.wire.items() if own == name and cbc in data), name)
            raise DomainError(Codes.PARAMETER, f"{name}: {errors[0]}")
        return filterset.qs

    def filter_queryset(self, queryset):
        """Filters that share a multi-valued relation must match the same related row: those whose
        `group` is set are applied in one filter() call per group."""
        grouped: dict[str, dict] = {}
        for name, value in self.form.cleaned_data.items():
            flt = self.filters[name]
            group = getattr(flt, "group", None)
            if group is None:
                queryset = flt.filter(queryset, value)
            elif value not in (None, "", [], ()):
                grouped.setdefault(group, {})[f"{flt.field_name}__{flt.lookup_expr}"] = value
        for group, lookups in grouped.items():
            queryset = queryset.filter(**self.group_conditions(group), **lookups)
        return queryset

    def group_conditions(self, group) -> dict:
        """Extra conditions of a group's row (e.g. the association must be active)."""
        return {}


def grouped(filter_instance, group):
    """Put a filter in a group (see ListFilterSet.filter_queryset)."""
    filter_instance.group = group
    return filter_instance


class ResellerFilter(ListFilterSet):
    """我的云经销商, the distributor's money overview and `POST /v2/partners/indirect-partners/query`."""

    account_name = django_filters.CharFilter(label=_("Account name"), lookup_expr="icontains", max_length=64)
    indirect_partner_id = django_filters.CharFilter(label=_("Reseller ID"), field_name="domain_id", max_length=64)
    associated_from = MomentFilter(label=_("Associated from"), field_name="associated_on")
    associated_to = MomentFilter(label=_("Associated to"), field_name="associated_on", end=True)

    wire = {"associated_on_begin": "associated_from", "associated_on_end": "associated_to"}

    class Meta:
        model = Partner
        fields = []


def _action_choices():
    from .oplog import ACTION_LABELS

    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda choice: choice[1])


class OperationLogFilter(ListFilterSet):
    """组织 ▸ 操作记录 (its page applies the filters only when all of them are valid)."""

    action = django_filters.ChoiceFilter(label=_("Action"), choices=_action_choices, empty_label=ALL)
    actor_label = django_filters.CharFilter(label=_("Operator"), lookup_expr="icontains")
    result = django_filters.ChoiceFilter(label=_("Result"), choices=OperationResult.choices, empty_label=ALL)
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)

    class Meta:
        model = OperationLog
        fields = []
