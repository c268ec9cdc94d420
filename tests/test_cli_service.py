"""Starting, checking and stopping the service, as an operator would from a shell."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.conftest import EXAMPLE_CONFIG, ROOT
from tests.test_cli_commands import write_config

SECRETS = ("MAILBOT_IMAP_PASSWORD", "MAILBOT_SMTP_PASSWORD")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_config(tmp_path: Path, database: str | None = None) -> Path:
    """The example config, its servers on a port of this machine where nothing listens."""
    port = closed_port()
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    for host in ("imap.hillingdon.example", "smtp.hillingdon.example"):
        text = text.replace(f'host = "{host}"', 'host = "127.0.0.1"')
    text = text.replace("port = 993", f"port = {port}").replace("port = 587", f"port = {port}")
    text = text.replace('url = "sqlite:///mailbot.db"',
                        f'url = "sqlite:///{database or tmp_path / "mailbot.db"}"')
    path = tmp_path / "mailbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start(config: Path, **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.Popen([sys.executable, "-m", "mailbot", "--config", str(config), "run"],
                            cwd=ROOT, env={**clean, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_run_without_its_password_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = start(service_config(tmp_path), MAILBOT_SMTP_PASSWORD="pw")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.splitlines() == [
        "mailbot: cannot start: the environment variable MAILBOT_IMAP_PASSWORD is not set "
        "(password for highrisk-bot@hillingdon.example at 127.0.0.1)"]
    assert out == ""
    assert not (tmp_path / "mailbot.db").exists()  # it stopped before touching anything


def test_run_without_the_microsoft_365_secret_is_one_line_and_exit_1(tmp_path: Path) -> None:
    config = service_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace('auth = "password"', 'auth = "oauth2-m365"')
    config.write_text(text + '\n[m365]\ntenant_id = "t"\nclient_id = "app"\n'
                      'client_secret_env = "MAILBOT_M365_SECRET"\n', encoding="utf-8")
    proc = start(config)  # the passwords still named are not needed with oauth2-m365
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.splitlines() == ["mailbot: cannot start: the environment variable MAILBOT_M365_SECRET "
                                "is not set (client secret of app app)"]


def test_run_with_an_unusable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = start(service_config(tmp_path, database=str(tmp_path / "no-such-folder" / "m.db")),
                 MAILBOT_IMAP_PASSWORD="pw", MAILBOT_SMTP_PASSWORD="pw")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert len(err.splitlines()) == 1, err
    assert err.startswith("mailbot: cannot open or upgrade the database sqlite:///")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_readable_by_the_service_user_only(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    old = os.umask(0o022)  # the usual umask, under which files are created 644
    try:
        assert main(["--config", cfg, "db", "upgrade"]) == 0
    finally:
        os.umask(old)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("db.sqlite")]
    assert files and all(mode(p) == 0o600 for p in files), {p.name: oct(mode(p)) for p in files}
    assert "warning" not in capsys.readouterr().out


def test_check_config_warns_of_a_database_others_can_read(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    assert main(["--config", cfg, "db", "upgrade"]) == 0
    (tmp_path / "db.sqlite").chmod(0o644)
    capsys.readouterr()
    assert main(["--config", cfg, "check-config"]) == 0
    out = capsys.readouterr().out
    assert f"can be read by other users of this machine (mode 644); run: chmod 600 {tmp_path / 'db.sqlite'}" \
        in out


def test_the_store_creates_its_file_private_whoever_opens_it(tmp_path: Path) -> None:
    """Not only the command line: the demo and any other caller open the store the same way."""
    from mailbot.adapters import db

    old = os.umask(0o022)
    try:
        db.upgrade(db.connect(f"sqlite:///{tmp_path / 'demo.db'}"))
    finally:
        os.umask(old)
    assert [oct(mode(p)) for p in sorted(tmp_path.iterdir())] == ["0o600"] * len(list(tmp_path.iterdir()))


def catches(pid: int, sig: signal.Signals) -> bool:
    """Whether the process has installed its own handler for ``sig`` (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def wait_for(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    while not catches(proc.pid, sig):
        assert proc.poll() is None, proc.communicate()


def test_a_stop_while_starting_is_a_clean_stop(tmp_path: Path) -> None:
    """A service manager may stop it at once; it must not die half-way or say it failed."""
    proc = start(service_config(tmp_path), MAILBOT_IMAP_PASSWORD="pw", MAILBOT_SMTP_PASSWORD="pw")
    wait_for(proc, signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.splitlines()[-1].endswith("INFO mailbot stopped (SIGTERM)")


def test_unreachable_servers_are_warnings_once_a_round_and_it_keeps_trying(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    config = service_config(tmp_path)
    monkeypatch.delenv("MAILBOT_SMTP_PASSWORD", raising=False)
    assert main(["--config", str(config), "cases", "add", "--initials", "T.W.", "--concern", "threats",
                 "--referrer", "Police"]) == 0
    # An owner outside the directory: the coordinators are told at once, when a server can be had.
    ref = capsys.readouterr().out.split("Added ")[1].split(" ")[0]
    assert main(["--config", str(config), "actions", "add", "--case", ref, "--owner",
                 "nobody@elsewhere.example", "--due", "31/12/2099", "--text", "call back"]) == 0
    assert "saved, but nothing sent now" in capsys.readouterr().err
    (tmp_path / "mailbot.db").chmod(0o644)  # as an older mailbot left it
    proc = start(config, MAILBOT_IMAP_PASSWORD="pw", MAILBOT_SMTP_PASSWORD="pw")
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line.rstrip())
        if "trying again in 2 s" in line:  # the second round failed too
            break
    proc.send_signal(signal.SIGINT)
    lines += proc.communicate(timeout=60)[1].splitlines()
    assert proc.returncode == 0
    log = "\n".join(lines)
    assert "Traceback" not in log and "lost" not in log
    assert (f"INFO mailbot running: config {config}, database sqlite:///{tmp_path / 'mailbot.db'}, "
            "mailbox highrisk-bot@hillingdon.example") in log
    assert f"WARNING the database {tmp_path / 'mailbot.db'} can be read by other users" in log
    rounds = [line for line in lines if "WARNING cannot connect to IMAP 127.0.0.1:" in line]
    assert [r.split("; ")[-1] for r in rounds[:2]] == ["trying again in 1 s", "trying again in 2 s"]
    sending = [line for line in lines if "WARNING SMTP unavailable: " in line]
    assert 1 <= len(sending) <= len(rounds), log
    assert sending[0].endswith("; the emails wait and are tried again next round")
    idle = [line for line in lines if "IMAP IDLE" in line]
    assert len(idle) == 1 and "IMAP IDLE cannot start (cannot connect to IMAP 127.0.0.1:" in idle[0]
    assert lines[-1].endswith("INFO mailbot stopped (SIGINT)")


def test_a_reader_that_goes_away_is_no_traceback() -> None:
    """`mailbot audit | head`: the pipe closes before mailbot has written."""
    with subprocess.Popen([sys.executable, "-m", "mailbot", "--config", str(EXAMPLE_CONFIG), "check-config"],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read()
    assert proc.returncode == 1
    assert err == ""
