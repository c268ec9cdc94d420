"""A local stand-in for the Microsoft identity platform, over HTTPS on 127.0.0.1.

It answers what msal asks of login.microsoftonline.com for app-only sign-in:
the tenant's OpenID configuration and the v2.0 token endpoint with the client
credentials grant. Each token it issues is handed to ``on_issue`` (the rig's
Dovecot and SMTP server), which then accept that token and no earlier one.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tests.rig.dovecot import make_tls

SCOPE = "https://outlook.office365.com/.default"


class FakeEntra:
    def __init__(self, folder: Path, *, tenant: str, client_id: str, secret: str,
                 on_issue: Callable[[str], None], expires_in: int = 3600) -> None:
        self.ca = make_tls(folder)
        self.tenant, self.client_id, self.secret = tenant, client_id, secret
        self.on_issue = on_issue
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.refusals: list[str] = []
        entra = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith(f"/{entra.tenant}/v2.0/.well-known/openid-configuration"):
                    base = f"{entra.base}/{entra.tenant}"
                    self._json(200, {
                        "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "issuer": f"{base}/v2.0",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    })
                else:
                    self._json(400, {"error": "invalid_tenant",
                                     "error_description": "AADSTS90002: Tenant not found."})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != f"/{entra.tenant}/oauth2/v2.0/token":
                    return self._json(404, {"error": "not_found"})
                if form.get("grant_type") != "client_credentials":
                    return self._refuse("unsupported_grant_type", "AADSTS70003")
                if form.get("client_id") != entra.client_id:
                    return self._refuse("unauthorized_client", "AADSTS700016: Application not found")
                if form.get("client_secret") != entra.secret:
                    return self._refuse("invalid_client", "AADSTS7000215: Invalid client secret provided.")
                if form.get("scope") != SCOPE:
                    return self._refuse("invalid_scope", "AADSTS1002012: The provided value for scope "
                                        f"{form.get('scope')} is not valid.")
                token = secrets.token_urlsafe(32)
                entra.issued.append(token)
                entra.on_issue(token)
                self._json(200, {"token_type": "Bearer", "expires_in": entra.expires_in,
                                 "ext_expires_in": entra.expires_in, "access_token": token})

            def _refuse(self, error: str, description: str) -> None:
                entra.refusals.append(error)
                self._json(401 if error == "invalid_client" else 400,
                           {"error": error, "error_description": description})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(str(folder / "cert.pem"), str(folder / "key.pem"))
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeEntra:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
