"""Where uploaded materials live: outside the web root and outside static, under PRIVATE_MEDIA_ROOT
(default var/private). Nothing serves this directory; files reach a browser only through a view that
checked who is asking (programs.views: the owning partner or an operator)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

__all__ = ["private_storage"]


def private_storage() -> FileSystemStorage:
    """A storage at PRIVATE_MEDIA_ROOT as it is now. Django calls a FileField's storage callable once, when the
    models load, so `Material.file.storage` keeps the root of that moment: code that writes or reads files calls
    this function each time (programs/uploads.py), which is what lets tests override the setting."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
