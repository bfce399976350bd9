"""Give every page request its actor (`request.actor`), built once and only when asked for."""

from django.utils.functional import SimpleLazyObject

from .actors import actor_for_user

from django.utils import translation

__all__ = ["ActorMiddleware", "ApiLanguageMiddleware"]

API_PREFIXES = ("/v1/", "/v2/", "/v3/", "/api/")


class ApiLanguageMiddleware:
    """The CBC API answers in English unless the caller sends `X-Language: zh_CN` (Huawei's header);
    browser language negotiation is for pages only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIXES):
            wanted = request.META.get("HTTP_X_LANGUAGE", "")
            language = "zh-hans" if wanted.lower().startswith("zh") else "en"
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR") or None
        request.actor = SimpleLazyObject(lambda: actor_for_user(getattr(request, "user", None), ip=ip))
        return self.get_response(request)
