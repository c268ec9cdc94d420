"""TLS for both mail protocols: the system's trust store, or the CA file the config names."""

from __future__ import annotations

import ssl

from mailbot.config import ServerSettings


def tls_context(server: ServerSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=server.ca_file) if server.ca_file else \
        ssl.create_default_context()
