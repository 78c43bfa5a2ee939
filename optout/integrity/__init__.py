"""Evidence integrity: seal runs, verify runs and bundles, bundle a run, prune, RFC 3161.

The names below are loaded when first used (PEP 562), so that a run, which only seals,
does not import the zip, merge and prune code at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# `prune` is also the name of its module: bound here, so that importing the module later
# cannot replace the function with the module on this package.
from optout.integrity.prune import change_runs, prune

if TYPE_CHECKING:
    from optout.integrity.bundle import bundle_run, verify_bundle
    from optout.integrity.manifest import FORMAT, KINDS, PRUNED, TSR, IntegrityError, Problem
    from optout.integrity.merge import merge_runs
    from optout.integrity.seal import seal_run
    from optout.integrity.tsa import TimestampError, TimestampInfo, read_timestamp
    from optout.integrity.verify import verify_runs

_MODULE_OF = {
    "bundle_run": "bundle",
    "verify_bundle": "bundle",
    "FORMAT": "manifest",
    "KINDS": "manifest",
    "PRUNED": "manifest",
    "TSR": "manifest",
    "IntegrityError": "manifest",
    "Problem": "manifest",
    "merge_runs": "merge",
    "seal_run": "seal",
    "TimestampError": "tsa",
    "TimestampInfo": "tsa",
    "read_timestamp": "tsa",
    "verify_runs": "verify",
}

__all__ = [
    "FORMAT",
    "KINDS",
    "PRUNED",
    "TSR",
    "IntegrityError",
    "Problem",
    "TimestampError",
    "TimestampInfo",
    "bundle_run",
    "change_runs",
    "merge_runs",
    "prune",
    "read_timestamp",
    "seal_run",
    "verify_bundle",
    "verify_runs",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
