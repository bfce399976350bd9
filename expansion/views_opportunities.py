"""Pages of the opportunities area (a placeholder until the area is built)."""

from django.shortcuts import render

from partnercenter.pages import member_page


@member_page("expansion.view")
def opportunities(request):
    return render(request, "expansion/placeholder.html", {"current": "opportunities"})
