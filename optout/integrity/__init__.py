"""Evidence integrity: seal runs, verify runs and bundles, bundle a run, prune, RFC 3161."""

from optout.integrity.bundle import bundle_run, verify_bundle
from optout.integrity.manifest import FORMAT, KINDS, PRUNED, TSR, IntegrityError, Problem
from optout.integrity.merge import merge_runs
from optout.integrity.prune import change_runs, prune
from optout.integrity.seal import seal_run
from optout.integrity.tsa import TimestampError, TimestampInfo, read_timestamp
from optout.integrity.verify import verify_runs

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
