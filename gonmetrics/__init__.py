"""gonmetrics: the GON monitor's library — read, validate, store and compute.

The public surface; pages and the command line use these names.
"""

from .errors import DatabaseBusy, GonError, InvalidTargets, NotFound, UnreadableFile
from .load import LoadReport, check
from .metrics import delivery_status, export_csv, export_frame, outlook, provisional_quarters
from .store import Store, default_db_path

__all__ = [
    "DatabaseBusy", "GonError", "InvalidTargets", "NotFound", "UnreadableFile",
    "LoadReport", "check",
    "delivery_status", "export_csv", "export_frame", "outlook", "provisional_quarters",
    "Store", "default_db_path",
]
