"""Who a sender is."""

from __future__ import annotations

from mailbot.core.directory import Directory


def test_sender_by_address_any_case(directory: Directory) -> None:
    assert directory.sender("MASH@MET.POLICE.EXAMPLE").partner == "police"


def test_sender_by_domain_but_not_by_subdomain_or_lookalike(directory: Directory) -> None:
    assert directory.sender("a.patel@thh.example").partner == "thh"
    assert directory.sender("a.patel@evil.thh.example").partner is None
    assert directory.sender("a.patel@thh.example.evil").partner is None


def test_only_the_coordinator_is_a_coordinator(directory: Directory) -> None:
    assert [p.code for p in directory.coordinators()] == ["asc"]
    assert directory.sender("adultmash@hillingdon.example").coordinator


def test_a_meetings_directory_lists_its_members_but_still_knows_every_sender(directory: Directory) -> None:
    panel = directory.for_meeting(["police", "cnwl"], ["police"])
    assert [p.code for p in panel] == ["cnwl", "police"]  # config order, members only
    assert [p.code for p in panel.coordinators()] == ["police"]
    # An outsider writing in is still that partner, not a stranger; but not a coordinator here,
    # and its name in a "Partners:" line does not make it one of this meeting's partners.
    outsider = panel.sender("adultmash@hillingdon.example")
    assert outsider.partner == "asc" and not outsider.coordinator
    assert panel.find("ASC") is None and panel.find("CNWL") is not None
    assert panel.get("asc").name == "Adult Social Care"  # a case it referred can still be shown


def test_a_meeting_without_members_or_coordinators_is_everyone_as_configured(directory: Directory) -> None:
    room = directory.for_meeting([], [])
    assert [p.code for p in room] == [p.code for p in directory]
    assert [p.code for p in room.coordinators()] == ["asc"]
