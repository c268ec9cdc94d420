"""The config file: loaded into settings, or every problem named by its key path."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mailbot import config
from mailbot.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG


def example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.parse(data)
    return caught.value.problems


def test_the_example_is_the_hillingdon_group() -> None:
    settings = config.load(EXAMPLE_CONFIG)
    assert [p.code for p in settings.partners] == [
        "asc", "childrens", "cnwl", "spa", "ccg", "police", "hidva", "thh", "asbit", "community-safety"]
    assert settings.bot.address == "highrisk-bot@hillingdon.example"
    assert settings.meeting.reference_prefix == "HR"
    assert settings.directory.sender("referrals@hidva.example").partner == "hidva"


def test_every_problem_is_reported_at_once_with_its_key_path() -> None:
    data = example()
    data["partner"][3]["emails"][0] = "mash@met"
    data["meeting"][0]["cutoff"] = "25:99"
    data["bot"]["colour"] = "blue"
    data["smtp"]["password"] = "hunter2"
    problems = problems_of(data)
    assert "partner \"spa\".emails[0]: not an email address: 'mash@met'" in problems
    assert any(p.startswith("meeting \"daily\".cutoff: not a time of day") for p in problems)
    assert "bot.colour: unknown key" in problems
    assert any(p.startswith("smtp.password: passwords never go in the file") for p in problems)


def test_a_mistyped_key_is_named_with_the_key_it_probably_meant() -> None:
    data = example()
    data["meeting"][0]["cut_off"] = data["meeting"][0].pop("cutoff")
    data["imap"]["pasword_env"] = data["imap"].pop("password_env")
    problems = problems_of(data)
    assert 'meeting "daily".cut_off: unknown key (did you mean `cutoff`?)' in problems
    assert "imap.pasword_env: unknown key (did you mean `password_env`?)" in problems


def test_a_partner_without_a_readable_code_is_named_by_its_place() -> None:
    data = example()
    data["partner"][6]["code"] = "Police Service!"
    data["partner"][6]["emails"] = ["nobody"]
    problems = problems_of(data)
    assert "partner[6].emails[0]: not an email address: 'nobody'" in problems


def test_an_address_claimed_by_two_partners_is_refused() -> None:
    data = example()
    data["partner"][1]["emails"].append("mash@met.police.example")
    assert any("listed by both" in p for p in problems_of(data))


def test_a_group_needs_a_coordinator() -> None:
    data = example()
    data["partner"][0]["coordinator"] = False
    assert "partner: no partner has coordinator = true" in problems_of(data)


def test_unreadable_files_are_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\naddress = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)
    with pytest.raises(ConfigError, match="cannot read config file"):
        config.load(tmp_path / "missing.toml")


def test_a_secret_file_others_can_read_stops_the_load(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2\n")
    secret.chmod(0o644)
    data = example()
    del data["smtp"]["password_env"]
    data["smtp"]["password_file"] = str(secret)
    problems = problems_of(data)
    assert problems == [f"smtp.password_file: {secret} can be read by users other than the service user "
                        f"(mode 644); run: chmod 600 {secret}"]
    secret.chmod(0o600)
    settings = config.parse(data)
    assert settings.smtp is not None and settings.smtp.password_file == str(secret)
    from mailbot.adapters.signin import password

    assert password(settings.smtp) == "hunter2"


def test_oauth2_needs_an_app_registration_and_never_a_literal_secret() -> None:
    data = example()
    data["imap"]["auth"] = "oauth2-m365"
    data["smtp"]["auth"] = "kerberos"
    problems = problems_of(data)
    assert "imap.auth: oauth2-m365 needs an [m365] table (tenant_id, client_id, a secret)" in problems
    assert "smtp.auth: must be one of password, oauth2-m365, not 'kerberos'" in problems
    data["smtp"]["auth"] = "oauth2-m365"
    data["m365"] = {"tenant_id": "t", "client_id": "c", "client_secret": "s3cret"}
    problems = problems_of(data)
    assert any(p.startswith("m365.client_secret: secrets never go in the file") for p in problems)
    assert "m365: give client_secret_env, client_secret_file or certificate_file" in problems
    data["m365"] = {"tenant_id": "t", "client_id": "c", "client_secret_env": "MAILBOT_M365_SECRET"}
    for table in ("imap", "smtp"):
        del data[table]["password_env"]  # not needed with a token
    settings = config.parse(data)
    assert settings.m365 is not None and settings.m365.authority == "https://login.microsoftonline.com/t"


def test_privacy_settings_are_checked() -> None:
    data = example()
    data["privacy"].update({"secure_domains": ["nhs.net", "not a domain"], "default_level": "everything",
                            "subject_tags": {"nhs.net": "[secure]\r\nBcc: x@evil.example"},
                            "confidentiality": " ", "retention_months": 0})
    problems = problems_of(data)
    assert "privacy.secure_domains[1]: not a domain: 'not a domain'" in problems
    assert "privacy.default_level: must be one of full, reference, not 'everything'" in problems
    assert 'privacy.subject_tags.nhs.net: must be one short line, like "[secure]"' in problems
    assert "privacy.confidentiality: must not be empty: every email carries it" in problems
    assert "privacy.retention_months: must be at least 1" in problems


def test_without_a_privacy_table_nothing_is_sent_in_full() -> None:
    data = example()
    del data["privacy"]
    settings = config.parse(data)
    assert settings.privacy.secure_domains == () and settings.privacy.default_level == "reference"
    assert settings.privacy.retention_months == 13
    assert "OFFICIAL-SENSITIVE" in settings.privacy.confidentiality


def test_a_plain_connection_is_allowed_only_when_written_and_is_warned_of(
        caplog: pytest.LogCaptureFixture) -> None:
    from mailbot.app import warn_plain

    data = example()
    assert config.parse(data).smtp.security == "starttls"  # type: ignore[union-attr]
    assert config.parse(data).imap.server.security == "tls"  # type: ignore[union-attr]
    data["smtp"]["security"] = "none"
    with caplog.at_level("WARNING"):
        warn_plain(config.parse(data))
    assert "[smtp] security = \"none\": mail to and from smtp.hillingdon.example:587 is NOT encrypted" \
        in caplog.text


def test_a_refusal_says_what_the_administrator_must_do() -> None:
    from mailbot.adapters.signin import explain_refusal

    settings = config.parse(example())
    imap = dataclasses.replace(settings.imap.server, auth="oauth2-m365")  # type: ignore[union-attr]
    said = explain_refusal(imap, "imap", "BAD User is authenticated but not connected.")
    assert "Add-MailboxPermission -Identity highrisk-bot@hillingdon.example" in said
    assert "New-ServicePrincipal" in said
    smtp = settings.smtp
    assert smtp is not None
    said = explain_refusal(smtp, "smtp", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                                         "is disabled for the Tenant.")
    assert "Set-CASMailbox -Identity highrisk-bot@hillingdon.example -SmtpClientAuthenticationDisabled $false" \
        in said
    said = explain_refusal(smtp, "smtp", "550 5.7.30 Basic authentication is not supported for Client Submission.")
    assert 'auth = "oauth2-m365"' in said


def test_sender_trust_is_on_by_default_and_off_only_when_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from mailbot.app import warn_trust
    from mailbot.cli import main
    from tests.rig.world import dump

    settings = config.load(EXAMPLE_CONFIG)
    assert settings.privacy.require_dmarc_pass
    assert settings.privacy.trusted_authserv_ids == ("mx.hillingdon.example",)
    data = example()
    del data["privacy"]["require_dmarc_pass"]
    assert config.parse(data).privacy.require_dmarc_pass  # a config that says nothing is protected
    assert config.trust_warnings(settings) == []

    data["privacy"]["require_dmarc_pass"] = False
    off = tmp_path / "off.toml"
    off.write_text(dump(data))
    assert main(["--config", str(off), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "warning: [privacy] require_dmarc_pass = false: emails are applied without checking" in out
    assert "anyone can send 'Done:', 'Withdraw' or 'Cannot complete' in a partner's name" in out
    with caplog.at_level("WARNING"):
        warn_trust(config.load(off))
    assert "require_dmarc_pass = false" in caplog.text

    assert main(["--config", str(EXAMPLE_CONFIG), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "require_dmarc_pass" not in out
    assert "senders: DMARC pass required, read from Authentication-Results written by " \
           "mx.hillingdon.example" in out



def test_the_public_answer_has_a_default_and_cannot_be_blank() -> None:
    settings = config.load(EXAMPLE_CONFIG)
    assert "01895 556633" in settings.bot.public_reply
    data = example()
    del data["bot"]["public_reply"]
    assert config.parse(data).bot.public_reply.startswith("If someone is in immediate danger, call 999.")
    data["bot"]["public_reply"] = " "
    assert "bot.public_reply: must not be empty: a member of the public who writes in is told it" \
        in problems_of(data)


def test_the_secure_route_has_a_default_and_cannot_be_blank() -> None:
    assert "01895 250111" in config.load(EXAMPLE_CONFIG).privacy.secure_route
    data = example()
    del data["privacy"]["secure_route"]
    assert config.parse(data).privacy.secure_route.startswith(
        "Ask the coordinator for the action's details by phone")
    data["privacy"]["secure_route"] = ""
    assert "privacy.secure_route: must not be empty: owners sent references only need it" in problems_of(data)
def test_marking_join_link_and_short_names_are_read_and_checked() -> None:
    settings = config.load(EXAMPLE_CONFIG)
    assert settings.privacy.marking == "OFFICIAL-SENSITIVE"
    assert settings.meeting.join_url.startswith("https://")
    directory = settings.directory
    assert directory.find("children's services") == directory.get("childrens")  # short names are read
    data = example()
    data["privacy"]["marking"] = "OFFICIAL\nSENSITIVE"
    data["meeting"][0]["join_url"] = "javascript:alert(1)"
    data["partner"][1]["short_name"] = "Children's Social Services of Hillingdon"
    problems = problems_of(data)
    assert any(p.startswith("privacy.marking:") for p in problems), problems
    assert any(p.startswith("meeting \"daily\".join_url:") for p in problems), problems
    assert any(p.startswith("partner \"childrens\".short_name:") for p in problems), problems


def test_a_partner_without_a_short_name_is_called_by_its_first_alias() -> None:
    from mailbot.core.directory import short_name

    data = example()
    del data["partner"][5]["short_name"]
    assert short_name(config.parse(data).directory.get("police")) == "Police"
    data["partner"][5]["short_name"] = "Met"
    assert short_name(config.parse(data).directory.get("police")) == "Met"


def test_a_meetings_members_and_coordinators_are_partner_codes() -> None:
    data = example()
    data["meeting"][0]["members"] = ["police", "polce"]
    data["meeting"][0]["coordinators"] = ["asc"]
    assert "meeting[0].members: no partner has code 'polce'" in problems_of(data)
    data["meeting"][0]["members"] = ["police", "cnwl"]
    settings = config.parse(data)
    assert [p.code for p in settings.directory_of("daily")] == ["asc", "cnwl", "police"]
    assert [m.id for m in settings.meetings_of("hidva")] == []
def test_the_quiet_period_before_an_action_plan_is_set_per_meeting() -> None:
    data = example()
    assert config.parse(data).meeting.summary_quiet_minutes == 10
    data["meeting"][0]["summary_quiet_minutes"] = 3
    assert config.parse(data).meeting.summary_quiet_minutes == 3
    data["meeting"][0]["summary_quiet_minutes"] = -1
    assert 'meeting "daily".summary_quiet_minutes: must be 0 or more minutes' in problems_of(data)
