"""Forms of the voucher pages (券管理) and of the customer's 优惠券 page.

Amounts go through the one parser of the project (`partnercenter.money.parse_amount`), so a page
refuses exactly what the API refuses. Choices come from selectors, so another partner's customers,
resellers or quotas are invalid choices. Cloud service types are picked from the catalogue (named in the
active language, posted as codes): a code the catalogue does not know is an invalid choice. Whether a
coupon fits its quota (validity, limits, balance) is the service's to say: the issue page shows its
refusal on the form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.selectors import service_type_names
from partnercenter.forms import AmountField
from partnercenter.templatetags.display import money

from .services import BATCH_LIMIT, MAX_LIMITS

__all__ = ["AmountField", "ListField", "IssueCouponsForm", "RemarkForm", "ResellerQuotaForm"]

_MINUTES = "%Y-%m-%dT%H:%M"



class ListField(forms.CharField):
    """Comma-separated codes (cloud service types, product ids): at most MAX_LIMITS, blanks dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def clean(self, value):
        value = super().clean(value) or ""
        items = list(dict.fromkeys(item.strip() for item in value.replace("，", ",").split(",") if item.strip()))
        if len(items) > MAX_LIMITS:
            raise ValidationError(_("At most %(count)d items.") % {"count": MAX_LIMITS}, code="too_many")
        if any(len(item) > 64 for item in items):
            raise ValidationError(_("An item is longer than 64 characters."), code="too_long")
        return items



class IssueCouponsForm(forms.Form):
    """发放代金券 / 现金券 from one quota: the customers, the face value each gets, the validity (the
    quota's unless changed), the limits (the quota's unless narrowed) and the issuer's own remark."""

    customers = forms.MultipleChoiceField(
        label=_("Customers"), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several; at most 100 at a time."),
    )
    face_value = AmountField(label=_("Face value (CNY)"), help_text=_("Each chosen customer gets one coupon of this value."))
    valid_time = forms.DateTimeField(
        label=_("Valid from"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTES),
    )
    expire_time = forms.DateTimeField(
        label=_("Expires"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTES),
    )
    cloud_service_types = forms.MultipleChoiceField(
        label=_("Cloud service types"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick at most 10. None ticked: any cloud service type."),
    )
    product_ids = ListField(
        label=_("Product IDs"), help_text=_("Comma-separated, at most 10. Empty: the quota's limits."),
    )
    remark = forms.CharField(
        label=_("Remark"), required=False, max_length=255, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only you, the issuer, see the remark; the customer never does."),
    )

    def __init__(self, *args, quota=None, customers=(), extra_ids=(), check_balance=False, **kwargs):
        """`customers` are the eligible ones as (account ID, masked name); `extra_ids` are ids posted back on
        a confirmation that are no longer eligible: the service refuses each such row and says why."""
        self.quota = quota
        # the first step: a total over the quota balance never reaches the confirmation (at the confirmation the
        # service checks again under lock, row by row: a quota spent meanwhile fails the last rows)
        self.check_balance = check_balance
        kwargs.setdefault("initial", {})
        if quota is not None:
            kwargs["initial"].setdefault("valid_time", quota.effective_time)
            kwargs["initial"].setdefault("expire_time", quota.expire_time)
        super().__init__(*args, **kwargs)
        # The name alone for the pages that show the account ID in a column of its own (confirmation, result);
        # the select shows both.
        self.customer_names = dict(customers)
        self.fields["customers"].choices = [(i, f"{name} ({i})") for i, name in customers] + [
            (i, i) for i in extra_ids if i not in self.customer_names]
        self.fields["cloud_service_types"].choices = self._service_type_choices()
        if quota is not None:
            if quota.cloud_service_types:
                self.fields["cloud_service_types"].help_text = _(
                    "Tick at most 10. None ticked: all the quota's service types.")
            self.fields["product_ids"].widget.attrs["placeholder"] = ", ".join(quota.product_ids)

    def _service_type_choices(self) -> list[tuple[str, str]]:
        """The catalogue's service types by code, named in the active language; a quota limited to some
        offers those alone (the service refuses any other), a code the catalogue lacks named by itself."""
        catalogue = service_type_names()
        codes = self.quota.cloud_service_types if self.quota is not None and self.quota.cloud_service_types \
            else list(catalogue)
        return [(code, catalogue[code].display_name if code in catalogue else code) for code in codes]

    def clean_cloud_service_types(self):
        codes = list(dict.fromkeys(self.cleaned_data["cloud_service_types"]))
        if len(codes) > MAX_LIMITS:
            raise ValidationError(_("At most %(count)d items.") % {"count": MAX_LIMITS}, code="too_many")
        return codes

    def clean_customers(self):
        ids = list(dict.fromkeys(self.cleaned_data["customers"]))
        if len(ids) > BATCH_LIMIT:
            raise ValidationError(_("At most 100 customers at a time."), code="too_many")
        return ids

    def _quota_time(self, name, exact):
        """The quota's own time when the field still shows it (to the minute), so the default is exact."""
        value = self.cleaned_data.get(name)
        if value is None or exact is None:
            return exact
        if self.fields[name].widget.format_value(self.fields[name].prepare_value(value)) == \
                self.fields[name].widget.format_value(self.fields[name].prepare_value(exact)):
            return exact
        return value

    def clean(self):
        data = super().clean()
        if self.quota is not None:
            data["valid_time"] = self._quota_time("valid_time", self.quota.effective_time)
            data["expire_time"] = self._quota_time("expire_time", self.quota.expire_time)
        if data.get("valid_time") and data.get("expire_time") and data["expire_time"] <= data["valid_time"]:
            self.add_error("expire_time", _("The expiry must be after the start of validity."))
        if self.check_balance and self.quota is not None and data.get("face_value") and data.get("customers"):
            total = data["face_value"] * len(data["customers"])
            if total > self.quota.balance:
                raise ValidationError(_("The total, %(total)s, is more than the quota balance, %(balance)s: choose "
                                        "fewer customers or a lower face value.") % {
                    "total": money(total), "balance": money(self.quota.balance)})

        return data


class RemarkForm(forms.Form):
    remark = forms.CharField(label=_("Remark"), required=False, max_length=255,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}),
                             help_text=_("Kept in your operation records; customers and cloud resellers never see it."))


class ResellerQuotaForm(forms.Form):
    """A distributor passes part of one of its quotas to cloud resellers: the same amount to each."""

    quota = forms.ChoiceField(label=_("From quota"))
    resellers = forms.MultipleChoiceField(label=_("Cloud resellers"), widget=forms.SelectMultiple(attrs={"size": 6}),
                                          help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."))
    amount = AmountField(label=_("Amount per reseller (CNY)"))

    def __init__(self, *args, quotas=(), resellers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quotas = {q.quota_id: q for q in quotas}
        self.fields["quota"].choices = [("", "—")] + [
            (q.quota_id, f"{q.get_quota_type_display()} · {q.quota_id} · {money(q.balance)}") for q in quotas]
        self.reseller_names = {r.domain_id: r for r in resellers}
        self.fields["resellers"].choices = [(r.domain_id, f"{r.name} ({r.domain_id})") for r in resellers]

    def clean_resellers(self):
        ids = list(dict.fromkeys(self.cleaned_data["resellers"]))
        if len(ids) > BATCH_LIMIT:
            raise ValidationError(_("At most 100 cloud resellers at a time."), code="too_many")
        return ids
