"""TEMPORARY: stands in for pages while their area is being built; each area's urls module drops it."""

from django.http import HttpResponse

from partnercenter.pages import member_page


@member_page()
def placeholder(request, **kwargs):
    return HttpResponse("")
