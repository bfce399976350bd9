"""What the reviews area registers when the app starts (operation-log labels, home panels, banners, events).

- operation-log labels of annual reviews and uploads, its error codes and event types;
- the Material post_delete receiver that removes the stored file once a deletion commits;
- a system check that PRIVATE_MEDIA_ROOT is not served: not inside STATIC_ROOT, a STATICFILES_DIRS entry or
  MEDIA_ROOT (nor any of them inside it).
"""

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db.models.signals import post_delete

from partnercenter.oplog import register_actions

from . import errors_reviews, event_types_reviews  # noqa: F401  (codes and event types register on import)
from . import reviews, uploads
from .models import Material

register_actions({**uploads.ACTION_LABELS, **reviews.ACTION_LABELS})
post_delete.connect(uploads.remove_file_after_delete, sender=Material, dispatch_uid="programs.material_file")


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


@checks.register(checks.Tags.security)
def private_media_not_served(app_configs=None, **kwargs):
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    served = [settings.STATIC_ROOT, getattr(settings, "MEDIA_ROOT", "")]
    served += [entry[1] if isinstance(entry, (tuple, list)) else entry
               for entry in getattr(settings, "STATICFILES_DIRS", [])]
    problems = []
    for place in served:
        if not place:
            continue
        place = Path(place).resolve()
        if _inside(private, place) or _inside(place, private):
            problems.append(checks.Error(
                f"PRIVATE_MEDIA_ROOT ({private}) overlaps a served directory ({place}).",
                hint="Keep uploaded materials outside static and media directories.", id="programs.E401"))
    return problems
