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
