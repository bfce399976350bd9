"""A stored upload (a certification's or an FH month's material) handed back as a download: always an attachment,
with the content type recorded at upload, never sniffed, never cached, and sandboxed should a browser render it
anyway. A file missing from storage is a 404, as is a material the caller may not read (the caller's lookup)."""

from django.http import FileResponse, Http404

__all__ = ["stored_file_response"]


def stored_file_response(open_file, *, filename: str, content_type: str) -> FileResponse:
    """`open_file()` opens the stored file (the storage's own opener)."""
    try:
        handle = open_file()
    except OSError:  # FileNotFoundError included
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
