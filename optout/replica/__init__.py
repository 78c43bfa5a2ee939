"""Local replica of Meta's AI-objection pages, one URL prefix per page state ("scenario").

Tests map ``https://www.facebook.com`` (and the other Meta hosts) to
``ReplicaServer.origin_for(<scenario>)`` so that flows never touch the real web.
"""

from optout.replica.scenarios import SCENARIOS
from optout.replica.server import ReplicaServer

__all__ = ["SCENARIOS", "ReplicaServer"]
