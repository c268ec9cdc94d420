"""Starting, checking and stopping the service, as an operator would from a shell."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.test_cli_commands import write_config


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
