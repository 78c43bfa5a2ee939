"""Evidence integrity: seal runs, verify runs and bundles, bundle a run, prune, RFC 3161."""

from optout.integrity.verify import (
    FORMAT,
    KINDS,
    PRUNED,
    TSR,
    IntegrityError,
    Problem,
    TimestampError,
    TimestampInfo,
    bundle_run,
    change_runs,
    prune,
    read_timestamp,
    seal_run,
    verify_bundle,
    verify_runs,
)

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
    "prune",
    "read_timestamp",
    "seal_run",
    "verify_bundle",
    "verify_runs",
]
