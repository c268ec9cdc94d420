"""The partner directory: who a sender is, and which partner a name in a reply means.

Addresses arrive already normalised by the config loader; matching here is
case-insensitive on the whole address (Exchange and NHSmail treat local parts
that way), and a domain matches only exactly, never a subdomain, so trust is
never widened by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from mailbot.core.model import Partner, Sender

_IGNORED_IN_NAMES = re.compile(r"[\s'’‘`´.]+")


def name_key(name: str) -> str:
    """The form partner names are compared in: no case, spacing, apostrophes or dots."""
    return _IGNORED_IN_NAMES.sub("", name).casefold()


def address_key(address: str) -> str:
    return address.strip().casefold()


@dataclass(frozen=True)
class Directory:
    """Partners in config order. A meeting's directory lists only its members (they get its
    emails, their names are read in its replies, its coordinators are told what needs a
    person); ``outsiders`` are the other partners, still known by address and code so an
    email from one of them is never taken for a stranger's."""

    partners: tuple[Partner, ...]
    outsiders: tuple[Partner, ...] = ()
    _by_address: dict[str, Partner] = field(init=False, repr=False, compare=False)
    _by_domain: dict[str, Partner] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Partner] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_address: dict[str, Partner] = {}
        by_domain: dict[str, Partner] = {}
        by_name: dict[str, Partner] = {}
        for partner in (*self.outsiders, *self.partners):  # a member wins over an outsider
            for email in partner.emails:
                by_address[address_key(email)] = partner
            for domain in partner.domains:
                by_domain[domain.casefold()] = partner
        for partner in self.partners:
            for name in (partner.code, partner.name, *partner.aliases, *filter(None, [partner.short])):
                by_name[name_key(name)] = partner
        object.__setattr__(self, "_by_address", by_address)
        object.__setattr__(self, "_by_domain", by_domain)
        object.__setattr__(self, "_by_name", by_name)

    def __iter__(self) -> Iterator[Partner]:
        return iter(self.partners)

    def get(self, code: str) -> Partner:
        for partner in (*self.partners, *self.outsiders):
            if partner.code == code:
                return partner
        raise KeyError(code)

    def is_member(self, code: str | None) -> bool:
        return any(p.code == code for p in self.partners)

    def for_meeting(self, members: Iterable[str], coordinators: Iterable[str]) -> Directory:
        """The directory of one meeting: ``members`` (empty: every partner) and its
        ``coordinators`` (empty: the partners marked coordinator), who are members too."""
        members, coordinators = set(members), set(coordinators)
        if not coordinators:
            coordinators = {p.code for p in self.partners if p.coordinator}
        inside = [replace(p, coordinator=p.code in coordinators) for p in self.partners
                  if not members or p.code in members or p.code in coordinators]
        codes = {p.code for p in inside}
        # An outsider is nobody's coordinator here, whatever it is in another meeting.
        outside = (replace(p, coordinator=False) for p in self.partners if p.code not in codes)
        return Directory(tuple(inside), tuple(outside))

    def partner_for_address(self, address: str) -> Partner | None:
        key = address_key(address)
        found = self._by_address.get(key)
        if found is not None:
            return found
        _, _, domain = key.rpartition("@")
        return self._by_domain.get(domain) if domain else None

    def sender(self, address: str) -> Sender:
        partner = self.partner_for_address(address)
        if partner is None:
            return Sender(address, None, False)
        return Sender(address, partner.code, partner.coordinator)

    def find(self, name: str) -> Partner | None:
        """The partner a name in a reply means: its code, name or an alias."""
        return self._by_name.get(name_key(name))

    def coordinators(self) -> tuple[Partner, ...]:
        return tuple(p for p in self.partners if p.coordinator)

    def known_names(self) -> str:
        """The names a partner may use, for a problem message."""
        return ", ".join(short_name(p) for p in self.partners)

    def display(self, codes: Iterable[str]) -> list[str]:
        return [self.get(code).name for code in codes]


def short_name(partner: Partner) -> str:
    """The one name every email uses for a partner: its short_name, else its first alias,
    else its full name."""
    return partner.short or (partner.aliases[0] if partner.aliases else partner.name)
