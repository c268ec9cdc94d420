"""What ``mailbot run`` checks before it starts, without contacting any server.

Kept apart from the composition root (``mailbot.app``) so that a missing secret is
reported before the database and mail libraries are even imported.
"""

from __future__ import annotations

from mailbot.adapters.signin import password, read_secret
from mailbot.config import Settings
from mailbot.errors import ConfigError


def check_secrets(settings: Settings) -> None:
    """Every secret the servers need can be read now, or one ConfigError line names them all:
    a service that cannot sign in must not start and fail quietly every minute."""
    missing = []
    for server in settings.servers():
        if server.auth == "password":
            try:
                password(server)
            except ConfigError as exc:
                missing.append(str(exc))
    m365 = settings.m365
    if m365 is not None and not m365.certificate_file:
        try:
            read_secret(m365.client_secret_env, m365.client_secret_file,
                        f"client secret of app {m365.client_id}")
        except ConfigError as exc:
            missing.append(str(exc))
    if missing:
        raise ConfigError(f"cannot start: {'; '.join(missing)}")
