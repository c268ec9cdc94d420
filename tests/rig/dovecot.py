"""A throw-away Dovecot 2.3 (Debian 12) on 127.0.0.1 for tests: private config, no /etc.

Pitfalls handled (see the project's mail-rig notes): mail processes never run
as root, the root folder is short and world-traversable (0700 temp dirs and
the 108-byte socket limit both break Dovecot), logs go to a file, the auth
penalty is off, and a restart kicks clients first so they notice at once.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"

CONF = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = dc{imap_port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{users}
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/tls/cert.pem
ssl_key = <{root}/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
mail_fsync = never
mail_location = maildir:{root}/mail/%d/%n:LAYOUT=fs:INBOX={root}/mail/%d/%n/INBOX
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
  mechanisms = plain login
}}
# Dovecot 2.3 checks an XOAUTH2 bearer token as the password of a passdb: here, the
# tokens the test's identity platform has issued and not yet revoked.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/tokens
  mechanisms = xoauth2 oauthbearer
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = home={root}/mail/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_tls(folder: Path) -> Path:
    import trustme

    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    return folder / "ca.pem"


class DovecotServer:
    def __init__(self) -> None:
        # Short and traversable: sockets live under it and Dovecot's users must enter it.
        self.root = Path(tempfile.mkdtemp(prefix="dc-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.imap_port, self.imaps_port, self.lmtp_port = free_port(), free_port(), free_port()
        self.conf = self.root / "dovecot.conf"
        self.proc: subprocess.Popen[bytes] | None = None
        self.users: dict[str, str] = {}
        for d in ("run", "state", "mail", "tls"):
            (self.root / d).mkdir()
        if os.geteuid() == 0:
            os.chown(self.root / "mail", 65534, 65534)
        self.ca = make_tls(self.root / "tls")
        (self.root / "users").write_text("")
        (self.root / "tokens").write_text("")
        self.tokens: dict[str, str] = {}
        if os.geteuid() == 0:
            users, chroot = "mail_uid = 65534\nmail_gid = 65534", ""
        else:
            import grp
            import pwd

            me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
            users = (f"default_internal_user = {me}\ndefault_login_user = {me}\n"
                     f"default_internal_group = {group}\nmail_uid = {os.getuid()}\n"
                     f"mail_gid = {os.getgid()}\nfirst_valid_uid = {os.getuid()}\n"
                     f"first_valid_gid = {os.getgid()}")
            chroot = "  chroot =\n"
        self.conf.write_text(CONF.format(root=self.root, imap_port=self.imap_port,
                                         imaps_port=self.imaps_port, lmtp_port=self.lmtp_port,
                                         users=users, chroot=chroot))

    def add_user(self, address: str, password: str) -> None:
        """passwd-file is re-read on change: a user added now can log in at once."""
        if address in self.users:
            return
        self.users[address] = password
        with open(self.root / "users", "a") as f:
            f.write(f"{address}:{{PLAIN}}{password}::::::\n")

    def set_token(self, address: str, token: str | None) -> None:
        """The one bearer token ``address`` may sign in with (None: none); the previous is revoked."""
        if token is None:
            self.tokens.pop(address, None)
        else:
            self.tokens[address] = token
        path = self.root / "tokens"
        path.write_text("".join(f"{a}:{{PLAIN}}{t}::::::\n" for a, t in self.tokens.items()))
        # passwd-file is checked for changes at most once a second, by mtime (whole seconds)
        # and size: give each version its own mtime, and let the second turn before anyone
        # signs in, so the next lookup reads this version.
        self._stamp = max(getattr(self, "_stamp", 0) + 1, int(time.time()))
        os.utime(path, (self._stamp, self._stamp))
        time.sleep(1.0 - time.time() % 1.0 + 0.01)

    def start(self, timeout: float = 10.0) -> DovecotServer:
        with open(self.root / "startup.err", "wb") as err:
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {(self.root / 'startup.err').read_text()}"
                                   f"\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), 0.5) as s:
                    s.settimeout(2)
                    if s.recv(200).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"dovecot not ready\n{self.log()}")
            time.sleep(0.01)

    def kick(self) -> None:
        subprocess.run([DOVEADM, "-c", str(self.conf), "kick", "*"], check=False,
                       capture_output=True, timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.kick()
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
