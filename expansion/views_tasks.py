"""Pages of the tasks area (a placeholder until the area is built)."""

from django.shortcuts import render

from partnercenter.pages import member_page


@member_page("expansion.view")
def tasks(request):
    return render(request, "expansion/placeholder.html", {"current": "tasks"})
