"""The exceptions mailbot raises on purpose.

Expected outcomes (an unknown partner in a reply, a line not understood, an
unknown sender) are values, never exceptions. Exceptions are for a broken
config, a failing transport or store, and bugs::

    MailbotError
     ├── ConfigError          the config file is missing, unreadable or invalid
     ├── TransportError       a mail server could not be used
     │    ├── FetchError      reading from IMAP failed
     │    ├── SendError       sending over SMTP failed
     │    └── SignInError     no token, or a server refused the bot's sign-in
     └── StoreError           the database could not be read or written
          └── NotActive       this process lost office to another (mailbot.standby)
"""

from __future__ import annotations


class MailbotError(Exception):
    """Base of every error mailbot raises on purpose."""


class ConfigError(MailbotError):
    """Raised when the config cannot be used; carries every problem found at once."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class TransportError(MailbotError):
    """Raised when a mail server cannot be reached or refuses us."""


class FetchError(TransportError):
    """Raised when reading the bot's mailbox over IMAP fails."""


class SendError(TransportError):
    """Raised when an email cannot be handed to the SMTP server."""

    def __init__(self, message: str, *, permanent: bool = False, partial: bool = False) -> None:
        self.permanent = permanent
        self.partial = partial  # accepted for some recipients: never to be sent again
        super().__init__(message)


class SignInError(TransportError):
    """Raised when a token cannot be had or a server refuses the bot's credentials;
    the message says what an administrator has to fix."""


class StoreError(MailbotError):
    """Raised when the database cannot be read or written."""


class NotActive(StoreError):
    """Raised by every transaction of a process that is no longer the active one: another
    process took office (a newer epoch), so this one must stop reading and sending."""
