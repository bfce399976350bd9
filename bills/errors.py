"""Error codes of consumption and bills, ours in the CBC range (CBC.99009xxx). Each part of the app adds
its codes in its own block."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["BillCodes"]


class BillCodes:
    # -- usage in (ingest.py, importing.py): 99009010–019 --------------------------------------------
    # -- rating and deduction (rating.py, deduction.py): 99009020–029 ---------------------------------
    # -- month close and low balance (closing.py, thresholds.py): 99009030–039 ------------------------
    # -- the CBC bill endpoints (api/): 99009040–049 ---------------------------------------------------
    pass


register({
    # -- usage in --
    # -- rating and deduction --
    # -- month close and low balance --
    # -- the CBC bill endpoints --
})
