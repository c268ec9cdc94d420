"""Shared fixtures: the example config and its directory."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.rig.smtp import SMTPServer

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_CONFIG = ROOT / "config.example.toml"

# bench/ holds the corpus scorer the trimming tests share with the benchmark.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mailbot import config  # noqa: E402
from mailbot.config import Settings  # noqa: E402
from mailbot.core.directory import Directory  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return config.load(EXAMPLE_CONFIG)


@pytest.fixture(scope="session")
def directory(settings: Settings) -> Directory:
    return settings.directory


# -- the databases ------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres():  # type: ignore[no-untyped-def]
    """Debian's PostgreSQL, a private cluster started once (tests/rig/postgres.py)."""
    import os

    from tests.rig.postgres import PG_BIN, PostgresServer, available

    if not available():
        message = f"PostgreSQL is not installed in {PG_BIN} (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message + ": run ./scripts/test, which installs it")
        pytest.skip(message)
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):  # type: ignore[no-untyped-def]
    """Runs the test once on SQLite and once on PostgreSQL (tests/rig/database.py)."""
    from tests.rig import database

    server = request.getfixturevalue("postgres") if request.param == "postgresql" else None
    database.use(server)
    yield request.param
    database.clean_up()
    database.use(None)


# -- real mail servers on 127.0.0.1 ---------------------------------------------


@pytest.fixture(scope="session")
def dovecot():  # type: ignore[no-untyped-def]
    """Debian's Dovecot, started once; tests isolate by clearing mailboxes."""
    import os

    from tests.rig.dovecot import DOVECOT, DovecotServer

    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed: run ./scripts/test (it installs dovecot-imapd "
                        "and dovecot-lmtpd) or apt-get install them")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)")
    server = DovecotServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def mail_servers(dovecot, monkeypatch):  # type: ignore[no-untyped-def]
    """Dovecot with empty mailboxes, and a fresh SMTP server delivering into it."""
    import shutil

    from tests.rig.smtp import SMTPServer
    from tests.rig.world import BOT_PASSWORD

    dovecot.kick()
    for domain in (dovecot.root / "mail").iterdir():
        shutil.rmtree(domain, ignore_errors=True)
    smtp = SMTPServer(dovecot.users, str(dovecot.root / "tls/cert.pem"),
                      str(dovecot.root / "tls/key.pem"), dovecot.lmtp_port).start()
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", BOT_PASSWORD)
    monkeypatch.setenv("MAILBOT_SMTP_PASSWORD", BOT_PASSWORD)
    yield dovecot, smtp
    smtp.stop()


# aiosmtpd logs a deprecation line for every login it handles itself.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SMTPServer, Path]]:
    """A real aiosmtpd server with STARTTLS on 127.0.0.1 that takes the bot's sign-in (password
    in TEST_SMTP), and the CA that signed its certificate: for a config written by
    tests.test_cli_commands.write_config(tmp_path, server, ca)."""
    from tests.rig.dovecot import make_tls
    from tests.rig.smtp import SMTPServer

    ca = make_tls(tmp_path / "tls")
    server = SMTPServer({"highrisk-bot@hillingdon.example": "pw"}, str(tmp_path / "tls/cert.pem"),
                        str(tmp_path / "tls/key.pem"), None).start()
    monkeypatch.setenv("TEST_SMTP", "pw")
    yield server, ca
    server.stop()
