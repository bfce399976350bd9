"""Pages of the directory area (a placeholder until the area is built)."""

from django.shortcuts import render

from partnercenter.pages import member_page


@member_page("expansion.view")
def directory(request):
    return render(request, "expansion/placeholder.html", {"current": "directory"})


@member_page("expansion.view")
def reports(request):
    return render(request, "expansion/placeholder.html", {"current": "reports"})
