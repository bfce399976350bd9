"""Give every page request its actor (`request.actor`), built once and only when asked for."""

from django.utils.functional import SimpleLazyObject

from .actors import actor_for_user

__all__ = ["ActorMiddleware"]


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR") or None
        request.actor = SimpleLazyObject(lambda: actor_for_user(getattr(request, "user", None), ip=ip))
        return self.get_response(request)
