"""Credentials for the mail servers: a password, or an app-only Microsoft 365 token.

Exchange Online has refused basic auth for IMAP since 2022 and turns it off by
default for SMTP submission at the end of 2026, so council and NHSmail mailboxes
sign in with OAuth2 client credentials (SASL XOAUTH2). msal keeps the token in
memory; a token with under five minutes left is never handed to a server, so a
connection made just before expiry cannot fail mid-login. What a server says
when it refuses the bot is turned into what an administrator has to do.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailbot.config import M365Settings, ServerSettings
from mailbot.errors import ConfigError, SignInError

log = logging.getLogger(__name__)

REFRESH_MARGIN = 300.0  # seconds of life a token must still have to be used


def read_secret(env: str, file: str | None, what: str) -> str:
    """A secret from its environment variable, else its file (checked at config load)."""
    if env:
        value = os.environ.get(env)
        if value:
            return value
        if not file:
            raise ConfigError(f"the environment variable {env} is not set ({what})")
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read {file} ({what}): {exc.strerror}") from exc
        if value:
            return value
        raise ConfigError(f"{file} is empty ({what})")
    raise ConfigError(f"no secret configured ({what})")


def password(server: ServerSettings) -> str:
    return read_secret(server.password_env, server.password_file,
                       f"password for {server.username} at {server.host}")


class TokenSource:
    """One msal confidential client for the life of the process; thread-safe."""

    def __init__(self, settings: M365Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._app: Any = None
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def _client(self) -> Any:
        if self._app is None:
            import msal  # only deployments that sign in with Microsoft pay for the import

            s = self.settings
            credential: Any
            if s.certificate_file:
                credential = {"private_key": Path(s.certificate_file).read_text(encoding="utf-8"),
                              "thumbprint": s.certificate_thumbprint}
            else:
                credential = read_secret(s.client_secret_env, s.client_secret_file,
                                         f"client secret of app {s.client_id}")
            known = s.authority_host.rstrip("/") == "https://login.microsoftonline.com"
            try:
                self._app = msal.ConfidentialClientApplication(
                    s.client_id, client_credential=credential, authority=s.authority,
                    validate_authority=known, instance_discovery=known,
                    http_client=_pinned_session(s.ca_file) if s.ca_file else None, timeout=30)
            except (ValueError, OSError) as exc:  # requests' errors are OSErrors
                raise SignInError(f"cannot reach the Microsoft identity platform at {s.authority}: "
                                  f"{exc}") from exc
        return self._app

    def token(self) -> str:
        with self._lock:
            if self._token and self._expires - self.clock() > REFRESH_MARGIN:
                return self._token
            try:
                result = self._client().acquire_token_for_client(scopes=[self.settings.scope])
            except (ValueError, OSError) as exc:
                self._app = None  # a failed discovery is not cached by msal: start afresh next time
                raise SignInError(f"cannot reach the Microsoft identity platform at "
                                  f"{self.settings.authority}: {exc}") from exc
            if "access_token" not in result:
                raise SignInError(_token_refusal(result, self.settings))
            self._token = str(result["access_token"])
            self._expires = self.clock() + float(result.get("expires_in", 3600))
            if result.get("token_source") != "cache":
                log.info("signed in to Microsoft 365 as app %s (token for %d min)",
                         self.settings.client_id, int(float(result.get("expires_in", 3600)) // 60))
            return self._token


def _pinned_session(ca_file: str) -> Any:
    """A requests session that trusts ``ca_file``. Set per request, because requests lets
    REQUESTS_CA_BUNDLE in the environment override a session-wide setting."""
    import functools

    import requests

    session = requests.Session()
    session.request = functools.partial(session.request, verify=ca_file, timeout=30)  # type: ignore[method-assign]
    return session


def _token_refusal(result: dict[str, Any], s: M365Settings) -> str:
    error = str(result.get("error", "unknown_error"))
    described = str(result.get("error_description", "")).splitlines()[0] if result.get(
        "error_description") else ""
    hint = {
        "invalid_client": "the client secret or certificate is wrong or has expired: make a new one "
                          "under Certificates & secrets of the app registration",
        "unauthorized_client": f"app {s.client_id} is not known in tenant {s.tenant_id}, or is disabled",
        "invalid_scope": f"the scope must be {s.scope!r} for app-only access",
        "invalid_request": "check tenant_id and client_id",
    }.get(error, "see the description")
    return f"Microsoft sign-in refused ({error}): {hint}. {described}".strip()


def explain_refusal(server: ServerSettings, protocol: str, said: str) -> str:
    """What a server's refusal means for whoever looks after the bot's mailbox."""
    text = said.lower()
    who = server.username
    if "authenticated but not connected" in text:
        return (f"Exchange accepted the token but the app may not open mailbox {who}: "
                f"grant it with Add-MailboxPermission -Identity {who} -User <service principal id> "
                f"-AccessRights FullAccess (the service principal must be made with "
                f"New-ServicePrincipal from the Enterprise application's object id), and check "
                f"that IMAP is enabled for the mailbox. Server said: {said}")
    if "5.7.30" in text or "basic authentication is not supported" in text:
        return (f"{server.host} no longer takes passwords: set auth = \"oauth2-m365\" and fill in "
                f"[m365]. Server said: {said}")
    if "5.7.139" in text or "smtpclientauthentication is disabled" in text \
            or "smtp auth is disabled" in text:
        return (f"SMTP AUTH is turned off for {who}: run Set-CASMailbox -Identity {who} "
                f"-SmtpClientAuthenticationDisabled $false. Server said: {said}")
    if server.auth == "oauth2-m365":
        return (f"{server.host} refused the token for {who}: check the app has the "
                f"{'IMAP.AccessAsApp' if protocol == 'imap' else 'SMTP.SendAsApp'} "
                f"application permission with admin consent, and FullAccess on the mailbox. "
                f"Server said: {said}")
    return f"{server.host} refused the login for {who}: check the password. Server said: {said}"
