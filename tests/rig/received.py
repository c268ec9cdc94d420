"""What the receiving mail server adds to every email on arrival, for emails a test builds.

The example config trusts only Authentication-Results headers written by its own
server (``trusted_authserv_ids``). The rig's SMTP server stamps one on every email
it delivers; an email a test hands straight to ``Services.ingest`` or appends to a
mailbox is stamped here the same way, so tests run the path a deployment runs.
"""

from __future__ import annotations

import tomllib
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from mailbot.core.trust import stamp
from tests.conftest import EXAMPLE_CONFIG

AUTHSERV_ID: str = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))["privacy"][
    "trusted_authserv_ids"][0]


def arrived(raw: bytes, envelope_from: str | None = None) -> bytes:
    """``raw`` as the receiving server hands it on: with its Authentication-Results on top.
    The envelope sender is the From address unless given (give another one to spoof)."""
    if envelope_from is None:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        found = [a for _, a in getaddresses([str(v) for v in headers.get_all("from", [])])]
        envelope_from = found[0] if found else ""
    return stamp(raw, AUTHSERV_ID, envelope_from)
