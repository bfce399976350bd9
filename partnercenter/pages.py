"""What every page view shares: who may open it, how a DomainError becomes a message, paging."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .api.pagination import total_of

__all__ = ["member_page", "customer_page", "signed_in_page", "posted", "paginate", "form_error", "chosen_ids"]


def _guard(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.actor):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def member_page(permission: str | None = None):
    """A 伙伴中心 page: a partner's member, holding `permission` if one is named."""
    return _guard(lambda actor: actor.is_partner and (permission is None or actor.has_perm(permission)))


def customer_page(view):
    """A 费用中心 page: a customer's user."""
    return _guard(lambda actor: actor.is_customer)(view)


def signed_in_page(view):
    """A page for any member or customer user (their own account settings)."""
    return _guard(lambda actor: actor.is_partner or actor.is_customer)(view)


class CountedPaginator(Paginator):
    """A Paginator whose count is the list's counter when the queryset is a counted one nobody filtered
    (partnercenter.api.pagination.counted), and a COUNT otherwise."""

    @cached_property
    def count(self):
        total = total_of(self.object_list)
        return super().count if total is None else total


def paginate(request, queryset, per_page=20):
    return CountedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def form_error(request, form, exc):
    """Show a service's refusal on the form (or as a message when there is no form)."""
    if form is not None:
        form.add_error(None, str(exc.message))
    else:
        messages.error(request, str(exc.message))




def chosen_ids(values) -> list[str]:
    """The ids a list page passed on (?customer=…&customer=…): trimmed, each once, in order."""
    ids = []
    for value in values:
        value = value.strip()[:64]
        if value and value not in ids:
            ids.append(value)
    return ids


def posted(request):
    """The submitted data of a POST (even an empty one, so forms with only a confirm button bind), else None."""
    return request.POST if request.method == "POST" else None
