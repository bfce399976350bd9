"""What the FH area plugs into the core when the app starts: its error codes, event types, operation-log labels,
and the receiver that removes a material's file once its deletion commits."""

from django.db.models.signals import post_delete

from partnercenter.oplog import register_actions

from . import errors_fh, event_types_fh  # noqa: F401  (codes and event types register on import)
from . import fh_generation, fh_months, fh_payments, fh_qualification
from .fh_materials import remove_file_after_delete
from .models_fh import FhMaterial

register_actions({**fh_qualification.ACTION_LABELS, **fh_generation.ACTION_LABELS, **fh_months.ACTION_LABELS,
                  **fh_payments.ACTION_LABELS})

post_delete.connect(remove_file_after_delete, sender=FhMaterial, dispatch_uid="incentives.fh_material_file")
