"""Forms of the benefits pages. Choices come from the scoped selectors, so another partner's member or a
path the partner is not on is an invalid choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import AmountField, VerificationForm
from partnercenter.widgets import DatePicker

from .choices import ExamLevel

__all__ = [
    "ProfileForm", "SpecialistForm", "NothingForm", "TestCouponForm", "ExamCouponForm", "DecisionAmountForm",
    "ReasonForm", "ExamCodeForm",
]


class ProfileForm(forms.Form):
    work_location = forms.CharField(label=_("Work location (工作常驻地)"), max_length=64, required=False,
                                    help_text=_("The city you mainly work in; needed to become a project specialist."))
    post = forms.CharField(label=_("Post"), max_length=64, required=False)
    started_with_cloud_on = forms.DateField(label=_("Working with Huawei Cloud since"), required=False,
                                            widget=DatePicker())
    uniportal_account = forms.CharField(label=_("Uniportal account"), max_length=64, required=False,
                                        help_text=_("The account you use on the talent platform; exam coupons are "
                                                    "issued to it."))


class SpecialistForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None, empty_label=None)
    path = forms.ModelChoiceField(label=_("Development path"), queryset=None, empty_label=None)

    def __init__(self, *args, members=None, paths=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = self._member_label
        self.fields["path"].queryset = paths

    @staticmethod
    def _member_label(member):
        profile = getattr(member, "program_profile", None)
        where = profile.work_location if profile is not None and profile.work_location else _("no work location")
        return f"{member.display_name} ({member.user.username}) · {where}"


class NothingForm(forms.Form):
    """A first step with nothing to fill in (a cancellation's confirmation)."""


class TestCouponForm(forms.Form):
    amount = AmountField(label=_("Amount (CNY)"))
    purpose = forms.CharField(label=_("Purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What you will test with the coupons (customers, services, scenario)."))


class ExamCouponForm(VerificationForm):
    level = forms.ChoiceField(label=_("Level"), choices=ExamLevel.choices)
    track = forms.CharField(label=_("Certification"), max_length=64,
                            help_text=_("e.g. HCIA-Cloud Computing, HCIP-Cloud Service Solutions Architect"))
    uniportal_account = forms.CharField(label=_("Uniportal account"), max_length=64, required=False,
                                        help_text=_("Defaults to the one in your profile."))


# -- operators (admin) --------------------------------------------------------------------------

class DecisionAmountForm(forms.Form):
    amount = AmountField(label=_("Amount to grant (CNY)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ExamCodeForm(forms.Form):
    code = forms.CharField(label=_("Exam coupon code"), max_length=128)
    expires_on = forms.DateField(label=_("Use before"), required=False, widget=DatePicker())
