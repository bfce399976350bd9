"""Form widgets shared by every app's forms and filters."""

from django import forms

__all__ = ["DatePicker"]


class DatePicker(forms.DateInput):
    """The browser's date picker (<input type="date">). Its value is ISO 8601 (YYYY-MM-DD) in every language: a
    date rendered in the page's format (zh-hans: 2027/03/31) is a value the picker drops, and a form saved
    unchanged would then clear the date. (Django reads ISO 8601 back in every language.)"""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
