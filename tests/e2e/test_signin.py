"""Microsoft 365 app-only sign-in on the wire: msal gets a token from a local identity
platform over HTTPS, and the bot signs in with SASL XOAUTH2 to Dovecot (IMAP) and to
aiosmtpd (SMTP). Nothing between the bot and the servers is replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mailbot import config
from mailbot.adapters.imap import ImapMailbox, connect
from mailbot.adapters.signin import TokenSource
from mailbot.adapters.smtp import SmtpPostman
from mailbot.app import build_runtime
from mailbot.config import Settings
from mailbot.errors import FetchError
from tests.adapters.test_smtp import row
from tests.rig.entra import FakeEntra
from tests.rig.world import BOT_PASSWORD, World, rig_config, subject_of, text_of

pytestmark = pytest.mark.servers

TENANT = "3f1c2a9e-0000-4000-8000-hillingdon01"
CLIENT = "6b8e0c4d-0000-4000-8000-mailbotapp01"
SECRET = "app-secret-value"


@pytest.fixture
def entra(mail_servers, tmp_path: Path) -> Iterator[FakeEntra]:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    bot = "highrisk-bot@hillingdon.example"
    dc.add_user(bot, BOT_PASSWORD)  # the mailbox exists; its password is never given to the bot

    def issued(token: str) -> None:  # the servers now take this token, and no earlier one
        dc.set_token(bot, token)
        smtp.handler.tokens[bot] = token

    server = FakeEntra(tmp_path / "entra", tenant=TENANT, client_id=CLIENT, secret=SECRET,
                       on_issue=issued).start()
    yield server
    server.stop()
    dc.set_token(bot, None)


def oauth_config(mail_servers: Any, entra: FakeEntra, tmp_path: Path) -> dict[str, Any]:
    dc, smtp = mail_servers
    data = rig_config(dc, smtp, tmp_path / "db.sqlite")
    for table in ("imap", "smtp"):
        del data[table]["password_env"]
        data[table]["auth"] = "oauth2-m365"
    data["m365"] = {"tenant_id": TENANT, "client_id": CLIENT, "client_secret_env": "MAILBOT_M365_SECRET",
                    "authority_host": entra.base, "ca_file": str(entra.ca)}
    return data


@pytest.fixture
def settings(mail_servers, entra: FakeEntra, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAILBOT_M365_SECRET", SECRET)
    monkeypatch.delenv("MAILBOT_IMAP_PASSWORD")  # no password anywhere: only the token can work
    monkeypatch.delenv("MAILBOT_SMTP_PASSWORD")
    return config.parse(oauth_config(mail_servers, entra, tmp_path))


def test_the_bot_reads_and_answers_over_xoauth2_with_one_cached_token(
        mail_servers, entra: FakeEntra, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    world = World(dc, smtp, settings, datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    world.reply("mash@met.police.example", "Case: T.W. - threats to neighbour\nPartners: ASBIT")
    runtime = build_runtime(settings, world.clock)
    try:
        asyncio.run(runtime.step())
    finally:
        runtime.close()
    ack = world.wait_for("mash@met.police.example", lambda m: subject_of(m).startswith("RE:"))
    assert "HR-2026-0001" in text_of(ack)
    # Every email the bot sent went on a session signed in by token (the server has no password).
    assert smtp.handler.xoauth2_logins and set(smtp.handler.xoauth2_logins) == {settings.bot.address}
    assert {m.login for m in smtp.messages if m.mail_from == settings.bot.address} == {settings.bot.address}
    # IMAP and SMTP both signed in, with one token from the identity platform: msal's cache.
    assert len(entra.issued) == 1


def test_a_token_near_expiry_is_replaced_before_a_server_sees_it(
        mail_servers, entra: FakeEntra, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.imap is not None
    tokens = TokenSource(settings.m365)  # type: ignore[arg-type]
    # Tokens come with four minutes of life, under the five-minute margin: every connection
    # must fetch a new one, and the servers accept only the newest.
    entra.expires_in = 240
    for _ in range(3):
        connect(settings.imap, tokens).logout()
    assert len(entra.issued) == 3
    assert len(set(entra.issued)) == 3
    # An hour's token is reused: no more requests to the identity platform.
    entra.expires_in = 3600
    for _ in range(3):
        connect(settings.imap, tokens).logout()
    assert len(entra.issued) == 4


def test_a_wrong_client_secret_is_a_clear_error_and_nothing_is_sent(
        mail_servers, entra: FakeEntra, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _, smtp = mail_servers
    monkeypatch.setenv("MAILBOT_M365_SECRET", "expired-secret")
    assert settings.imap is not None and settings.smtp is not None and settings.m365 is not None
    with pytest.raises(FetchError, match=r"invalid_client.*secret or certificate is wrong or has expired"):
        ImapMailbox(settings.imap, factory=lambda s: connect(s, TokenSource(settings.m365))).fetch_new()  # type: ignore[arg-type]
    postman = SmtpPostman(settings.smtp, settings.bot.address, tokens=TokenSource(settings.m365))
    [error] = asyncio.run(postman.send([row(1)]))
    assert error is not None and not error.permanent and "invalid_client" in str(error)
    assert smtp.messages == []


def test_a_token_the_server_does_not_accept_names_the_permission(
        mail_servers, entra: FakeEntra, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    assert settings.imap is not None and settings.smtp is not None and settings.m365 is not None
    tokens = TokenSource(settings.m365)
    tokens.token()
    dc.set_token(settings.bot.address, None)  # as if the app lost IMAP.AccessAsApp
    smtp.handler.tokens.clear()
    with pytest.raises(FetchError, match=r"IMAP\.AccessAsApp"):
        connect(settings.imap, tokens)
    [error] = asyncio.run(SmtpPostman(settings.smtp, settings.bot.address, tokens=tokens).send([row(2)]))
    assert error is not None and "SMTP.SendAsApp" in str(error) and "535 5.7.3" in str(error)
    assert smtp.messages == []


def test_passwords_still_work_where_the_config_says_password(mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    settings = config.parse(rig_config(dc, smtp, tmp_path / "db.sqlite"))
    World(dc, smtp, settings, datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert settings.imap is not None
    connect(settings.imap).logout()
