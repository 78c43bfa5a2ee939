"""Local replica of Meta's AI-objection pages, one URL prefix per page state ("scenario").

Tests map ``https://www.facebook.com`` (and the other Meta hosts in :data:`DEMO_ORIGINS`) to
``ReplicaServer.origin_for(<scenario>)`` so that flows never touch the real web.
"""

from typing import Final

from optout.replica.names import MODIFIERS, SCENARIOS
from optout.replica.server import ReplicaServer

# The origins of Meta's pages that `optout demo` (and the tests) map to the replica: every
# page a shipped flow opens or is sent to lives on one of them.
DEMO_ORIGINS: Final[tuple[str, ...]] = (
    "https://www.facebook.com",
    "https://fr-fr.facebook.com",
    "https://mbasic.facebook.com",
    "https://help.instagram.com",
    "https://privacycenter.instagram.com",
    "https://faq.whatsapp.com",
    "https://www.whatsapp.com",
)

__all__ = ["DEMO_ORIGINS", "MODIFIERS", "SCENARIOS", "ReplicaServer"]
