"""Where uploaded materials live: outside the web root and outside static, under PRIVATE_MEDIA_ROOT
(default var/private). Nothing serves this directory; files reach a browser only through a view that
checked who is asking (programs.views: the owning partner or an operator)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

__all__ = ["private_storage"]


def private_storage() -> FileSystemStorage:
    # a callable, so tests that override PRIVATE_MEDIA_ROOT get a storage at the overridden place
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
