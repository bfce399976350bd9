"""Request-wide middleware: the API's language, refusing input no view can store, and every page
request's actor (`request.actor`), built once and only when asked for."""

import re
from itertools import chain

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .actors import actor_for_user
from .api.errors import json_error
from .api.parsers import UNSTORABLE
from .errors import MESSAGES, Codes

__all__ = ["ActorMiddleware", "ApiLanguageMiddleware", "BodySizeMiddleware", "InputMiddleware", "API_PREFIXES"]

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


def _limit_for(path: str) -> int:
    """The largest body a path accepts: DATA_UPLOAD_MAX_MEMORY_SIZE, or UPLOAD_BODY_MAX_BYTES for the upload
    pages UPLOAD_PATHS names (their views check each file's size and type themselves)."""
    if any(re.match(pattern, path) for pattern in settings.UPLOAD_PATHS):
        return settings.UPLOAD_BODY_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeMiddleware:
    """Refuse a request whose declared body is over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.
    Django's own limit leaves out the file parts of a multipart form, and the CSRF check would read them
    all before a later middleware could say no. The API answers CBC.0100, pages the 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _content_length(request) <= _limit_for(request.path):
            return self.get_response(request)
        problem = _("The request body is too large.")
        if request.path.startswith(API_PREFIXES):
            return json_error(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {problem}")
        return render(request, "400.html", {"message": problem}, status=400)


class InputMiddleware:
    """Refuse, before any view runs, what would otherwise reach the database or a parser as a 500: an
    unstorable character in the path, the query string or a form field (bodies over the size limit never
    get here: BodySizeMiddleware).
    The API answers CBC.0100 in Huawei's shape, pages the 400 page. JSON bodies are checked by the
    API's parser (partnercenter/api/parsers.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith(API_PREFIXES)
        try:
            problem = self.problem(request, is_api)
        except SuspiciousOperation:  # too many fields (or a form body too large): Django's 400 for pages
            if not is_api:
                raise
            problem = _("The request has too many parameters.")
        if problem is None:
            return self.get_response(request)
        if is_api:
            return json_error(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {problem}")
        return render(request, "400.html", {"message": problem}, status=400)

    @staticmethod
    def problem(request, is_api) -> str | None:
        fields = [request.GET]
        if not is_api and request.method == "POST":
            fields.append(request.POST)
        texts = chain([request.path], *((name, *values) for form in fields for name, values in form.lists()))
        if any(UNSTORABLE.search(text) for text in texts):
            return _("The request contains characters that are not allowed.")
        return None


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR") or None
        request.actor = SimpleLazyObject(lambda: actor_for_user(getattr(request, "user", None), ip=ip))
        return self.get_response(request)
