"""Forms of the core pages. Choices come from selectors, so another partner's ids are invalid choices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import verification
from .choices import ActorKind
from .permissions import grouped

__all__ = [
    "LoginForm", "VerificationForm", "SwitchForm", "AccessKeyForm", "RoleForm", "MemberForm", "InviteForm",
    "AcceptInvitationForm", "EmailDeviceForm", "TokenForm", "ManagerForm", "AmountField",
]


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code"), max_length=16, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))



class VerificationForm(forms.Form):
    """Adds the verification-code field when the acting member's partner asks for codes (`always`: of every
    member, whatever the partner's switch says — 激励返点提现)."""

    def __init__(self, *args, actor=None, always=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.needs_code = actor is not None and (verification.is_required(actor) or (
            always and actor.kind == ActorKind.MEMBER))
        if self.needs_code:
            self.fields["verification_code"] = forms.CharField(
                label=_("Verification code"), max_length=16, required=False,
                help_text=_("From your authenticator app, or send one to your e-mail."),
                widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
            )

    @property
    def code(self):
        return self.cleaned_data.get("verification_code") if self.needs_code else None


class AccessKeyForm(VerificationForm):
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class RoleForm(VerificationForm):
    name = forms.CharField(label=_("Role name"), max_length=64)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        groups = grouped(distributor=bool(actor and actor.partner and actor.partner.is_distributor))
        self.fields["permissions"].choices = [(g, [(p.code, p.label) for p in perms]) for g, perms in groups]
        self.permission_groups = groups


class MemberForm(VerificationForm):
    display_name = forms.CharField(label=_("Name"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=64, required=False)
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=None, required=False)
    roles = forms.ModelMultipleChoiceField(label=_("Roles"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, actor=None, members=None, roles=None, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["supervisor"].queryset = members
        self.fields["roles"].queryset = roles


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    display_name = forms.CharField(label=_("Name"), max_length=64)
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=None, required=False)
    roles = forms.ModelMultipleChoiceField(label=_("Roles"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members=None, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = members
        self.fields["roles"].queryset = roles


class AcceptInvitationForm(forms.Form):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$")
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class EmailDeviceForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))


class SwitchForm(VerificationForm):
    enabled = forms.BooleanField(label=_("Ask for a verification code on sensitive operations"), required=False)


class ManagerForm(forms.Form):
    """分配客户经理: one of the partner's active members, or none."""

    manager = forms.ModelChoiceField(label=_("Account manager"), queryset=None, required=False, empty_label=_("— none —"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = members


class AmountField(forms.CharField):
    """An amount in yuan, to the fen: positive, at most two decimals, never rounded (CBC.0100 rules)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        from django.core.exceptions import ValidationError

        from .errors import DomainError
        from .money import parse_amount

        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from None
