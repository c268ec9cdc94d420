"""The settings the config file becomes: frozen values, with the defaults that apply when a key
is left out. ``mailbot.config`` reads them from TOML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot.core.directory import Directory
from mailbot.core.model import Partner
from mailbot.core.privacy import DEFAULT_SECURE_ROUTE

HOLIDAY_REGIONS = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
    "none": ("", ""),
}


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


SECURITY = ("tls", "starttls", "none")


AUTH = ("password", "oauth2-m365")


LEVELS = ("full", "reference")


DEFAULT_CONFIDENTIALITY = (
    "OFFICIAL-SENSITIVE. This email and any attachment are confidential and may contain personal "
    "data shared under the partnership's information sharing agreement. If you are not the intended "
    "recipient, tell the sender, delete it and do not copy, use or disclose it."
)


DEFAULT_PUBLIC_REPLY = (
    "If someone is in immediate danger, call 999. To report a concern about an adult or a child, "
    "contact the social care team of the council where they live. This mailbox is read by a machine "
    "for the partner agencies only."
)


@dataclass(frozen=True, slots=True)
class BotSettings:
    address: str
    display_name: str
    timezone: str = "Europe/London"
    # What a member of the public who writes in is told (no partner-facing footers go with it).
    public_reply: str = DEFAULT_PUBLIC_REPLY

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str
    port: int
    security: str
    username: str
    password_env: str
    timeout_seconds: float = 30.0
    ca_file: str | None = None
    auth: str = "password"  # or "oauth2-m365": a token from [m365] instead of a password
    password_file: str | None = None

    @property
    def plain(self) -> bool:
        return self.security == "none"


@dataclass(frozen=True, slots=True)
class M365Settings:
    """An Entra app registration for app-only (client credentials) sign-in to Exchange Online."""

    tenant_id: str
    client_id: str
    client_secret_env: str = ""
    client_secret_file: str | None = None
    certificate_file: str | None = None
    certificate_thumbprint: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    scope: str = "https://outlook.office365.com/.default"
    ca_file: str | None = None

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """How much of a case each recipient domain may be sent, and what every email says."""

    secure_domains: tuple[str, ...] = ()
    default_level: str = "reference"
    subject_tags: tuple[tuple[str, str], ...] = ()  # (domain, tag), e.g. ("nhs.net", "[secure]")
    confidentiality: str = DEFAULT_CONFIDENTIALITY
    marking: str = ""  # protective marking at the top of every email and before its subject
    retention_months: int = 13
    purge_time: time = time(2, 30)
    # On unless turned off: "Done", "Withdraw" and "Cannot complete" change what partners are
    # told, so an email must be shown to come from its From domain before it is applied.
    require_dmarc_pass: bool = True
    trusted_authserv_ids: tuple[str, ...] = ()
    # Shown to an action's owner whose domain gets references only, where the details would be.
    secure_route: str = DEFAULT_SECURE_ROUTE


@dataclass(frozen=True, slots=True)
class ImapSettings:
    server: ServerSettings
    folder: str = "INBOX"
    processed_folder: str = "mailbot/processed"
    failed_folder: str = "mailbot/failed"
    idle: bool = True
    poll_seconds: float = 60.0
    sent_folder: str = ""


@dataclass(frozen=True, slots=True)
class MeetingSettings:
    id: str
    name: str
    reference_prefix: str = "HR"
    case_call: time = time(10, 0)
    cutoff: time = time(11, 30)
    starts: time = time(12, 0)
    days: tuple[str, ...] = WEEKDAYS[:5]
    holidays: str = "england-and-wales"
    skip_dates: tuple[date, ...] = ()
    repeat_window_days: int = 28
    dial_in: str = ""
    join_url: str = ""  # the online meeting's link: in the letters and the calendar invitation
    # A folder whose files replace the standard templates of the same name for this meeting
    # only (its case call's wording, its reply help), beside the config file when relative.
    templates: str = ""
    digest_time: time = time(16, 0)
    escalate_after_working_days: int = 5
    # Partner codes. No members: every partner; no coordinators: the partners marked coordinator.
    members: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()
    # The daily risk meeting (MASH model): its case categories in agenda order, the one whose
    # new cases lead the agenda, its decision words, the person named in its overdue digest and
    # copied on its escalations, and whether an attendance list follows the case call.
    categories: tuple[str, ...] = ()
    overnight_first: str = ""
    decisions: tuple[str, ...] = ("accepted", "declined", "closed")
    escalation_contact: str = ""
    attendance_list: bool = True
    # A panel (mailbot.core.panel): its published dates or a monthly rule ("second tuesday").
    # Neither: the meeting sits on every working day, as the daily call does.
    dates: tuple[date, ...] = ()
    rule: str = ""
    referral_close_days: int = 0  # working days before a sitting, at the cut-off time
    agenda_working_days: int = 0  # the agenda goes out this many working days before, at case_call
    confidentiality_statement: str = ""  # what members agree to, at the top of the panel's agenda
    reminder_working_days: int = 0  # owners are reminded this many working days before a sitting

    @property
    def is_panel(self) -> bool:
        return bool(self.dates or self.rule)
    # Minutes without a change to a meeting's action plan before its summary goes out, so a
    # chair correcting the minutes three times sends one version.
    summary_quiet_minutes: int = 10


@dataclass(frozen=True, slots=True)
class Settings:
    bot: BotSettings
    meetings: tuple[MeetingSettings, ...]
    partners: tuple[Partner, ...]
    imap: ImapSettings | None = None
    smtp: ServerSettings | None = None
    database_url: str = "sqlite:///mailbot.db"
    source: Path | None = None
    m365: M365Settings | None = None
    privacy: PrivacySettings = PrivacySettings()
    # With PostgreSQL, two processes may share the database: the one standing by takes over
    # within this many seconds of the active one dying or losing the database (mailbot.standby).
    takeover_seconds: float = 30.0
    # Built once: it indexes every partner's names and addresses, and the use cases ask often.
    _directory: Directory = field(init=False, repr=False, compare=False)
    _rooms: dict[str, Directory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        directory = Directory(self.partners)
        object.__setattr__(self, "_directory", directory)
        object.__setattr__(self, "_rooms", {
            m.id: directory.for_meeting(m.members, m.coordinators) for m in self.meetings})

    def servers(self) -> tuple[ServerSettings, ...]:
        return tuple(s for s in (self.imap.server if self.imap else None, self.smtp) if s is not None)

    @property
    def directory(self) -> Directory:
        """Every partner: who a sender is, whichever meeting they write about."""
        return self._directory

    def directory_of(self, meeting_id: str) -> Directory:
        """One meeting's members and coordinators (see ``Directory.for_meeting``)."""
        return self._rooms[meeting_id]

    def meetings_of(self, partner: str | None) -> tuple[MeetingSettings, ...]:
        """The meetings a partner belongs to, in config order."""
        return tuple(m for m in self.meetings if self._rooms[m.id].is_member(partner))

    @property
    def meeting(self) -> MeetingSettings:
        """The first meeting: the one commands apply to when a reply names none."""
        return self.meetings[0]
