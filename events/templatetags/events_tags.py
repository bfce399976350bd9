"""`{% load events_tags %}`: `{{ event|said_to:side }}` — an event's text as that side reads it."""

from django import template

register = template.Library()


@register.filter
def said_to(event, side) -> str:
    return event.text_for(side or "partner")
