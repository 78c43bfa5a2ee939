"""The five verdicts: the words a flow file (`expect`, `absent`) and every result use."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """The outcome of one flow in one locale."""

    AVAILABLE = "available"
    MISSING = "missing"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    BROKEN = "broken"

    @property
    def conclusive(self) -> bool:
        """Whether the verdict says something about the form itself."""
        return self in (Verdict.AVAILABLE, Verdict.MISSING)
