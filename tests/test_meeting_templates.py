"""A meeting's own templates: its files replace the standard ones for that meeting only, and a
file that would fail is named when the config is read, not when its email is due."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from jinja2 import TemplateSyntaxError

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.adapters.db import Store
from mailbot.app import build_services
from mailbot.cli import main
from mailbot.errors import ConfigError
from tests.rig import database
from tests.test_cli_commands import write_config
from tests.test_services import at

pytestmark = pytest.mark.usefixtures("database")

PANEL = """
[[meeting]]
id = "panel"
name = "Complex Case Panel"
reference_prefix = "CCP"
members = ["police", "cnwl"]
coordinators = ["police"]
templates = "panel-templates"
"""


def deployment(tmp_path: Path, help_text: str, name: str = "_reply_help.txt") -> Path:
    path = write_config(tmp_path, None, None)
    path.write_text(path.read_text(encoding="utf-8") + PANEL, encoding="utf-8")
    (tmp_path / "panel-templates").mkdir()
    (tmp_path / "panel-templates" / name).write_text(help_text, encoding="utf-8")
    return path


def text_of(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def test_a_meetings_own_reply_help_reaches_its_members_only(tmp_path: Path) -> None:
    cfg = deployment(tmp_path, "Panel members: ring the panel officer on 01895 250111 before replying.\n")
    settings = config.load(cfg)
    s = build_services(settings, SettableClock(at(23, "10:00")), Store(database.engine(tmp_path)))
    s.due()
    with s.store.transaction() as tx:
        rows = dict(tx.conn.exec_driver_sql("select key, raw from outbox join outbox_raw using (key)").fetchall())
    panel = text_of(rows["case-call:panel:2026-11-23:police"])
    daily = text_of(rows["case-call:daily:2026-11-23:police"])
    assert "ring the panel officer on 01895 250111" in panel and "How to reply" not in panel
    assert "ring the panel officer" not in daily and "How to reply" in daily


def test_a_misnamed_or_broken_template_is_named_when_the_config_is_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = deployment(tmp_path, "Hello {{ partner\n", name="case_call.txt")
    (tmp_path / "panel-templates" / "case-call.txt").write_text("typo in the name\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failed:
        build_services(config.load(cfg), SettableClock(at(23, "10:00")), Store(database.engine(tmp_path)))
    problems = failed.value.problems
    assert any("case-call.txt: no standard template has this name" in p for p in problems)
    assert any(p.startswith('meeting "panel".templates: case_call.txt, line 1') for p in problems)
    assert main(["--config", str(cfg), "check-config"]) == 1
    assert "case-call.txt" in capsys.readouterr().err


def test_a_templates_folder_that_is_not_there_stops_the_load(tmp_path: Path) -> None:
    path = write_config(tmp_path, None, None)
    path.write_text(path.read_text(encoding="utf-8") + PANEL, encoding="utf-8")
    with pytest.raises(ConfigError, match=r'meeting "panel".templates: no folder'):
        config.load(path)


def test_the_service_finds_a_broken_standard_template_when_it_starts_and_a_one_off_command_does_not_pay_for_it(
        tmp_path: Path) -> None:
    import shutil

    from mailbot.adapters.templates import default_dir, renderer

    folder = tmp_path / "templates"
    shutil.copytree(default_dir(), folder)
    (folder / "escalation.txt").write_text("Overdue:\n{% for a in actions %}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"template escalation.txt, line \d+: .*"):
        renderer(folder, compile_now=True)
    # A one-off command compiles only what it renders, so it meets the broken file only there.
    render = renderer(folder)
    with pytest.raises(TemplateSyntaxError):
        render("escalation.txt", {})
