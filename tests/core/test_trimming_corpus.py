"""The trimmer on the public pairs copied into tests/data/corpus (MIT and Apache-2.0 sets).

Scored with the corpus README's metrics: a leak re-reads quoted lines, a loss
drops what the sender wrote. The best trimmer measured by the corpus authors
reaches 82.2 % safe on the full target set.

On these 287 pairs nothing the sender wrote is lost, inline answers written
between quoted blocks under text already written above the quote included
(discourse embedded_email_7 and _17, erp fiedl de_1), and 278 are safe. Of the
nine others, eight "leak" a line the sender really wrote that repeats a quoted
one ("Thanks,", "Hello", their name); crisp__email_7 keeps a short unmarked
fragment between two quoted lines. With the GPL quagga_asf pairs (read by
bench/trimming.py) no-loss is 100 % as well.
"""

from __future__ import annotations

import pytest

from bench.scoring import Pair, load_pairs, mailbot_trimmer, score
from tests.conftest import DATA

SOURCES = ("discourse", "talon", "talon_html", "erp_family")
PAIRS: list[Pair] = [p for s in SOURCES for p in load_pairs(DATA / "corpus" / s)]


def test_all_copied_pairs_are_present() -> None:
    assert len(PAIRS) == 64 + 12 + 9 + 202


def test_more_than_96_percent_of_pairs_are_safe_and_nothing_is_lost() -> None:
    scores = [score(p, mailbot_trimmer(p)) for p in PAIRS]
    safe = sum(s.safe for s in scores) / len(scores)
    assert safe > 0.965, [s.name for s in scores if not s.safe]
    assert [s.name for s in scores if not s.no_loss] == []


INLINE = ("discourse/embedded_email_7", "discourse/embedded_email_17", "erp_family/fiedl__email_de_1")


@pytest.mark.parametrize("pair", [p for p in PAIRS if f"{p.source}/{p.name}" in INLINE],
                         ids=lambda p: f"{p.source}/{p.name}")
def test_answers_typed_between_quoted_blocks_are_read_and_no_quote_is(pair: Pair) -> None:
    got = score(pair, mailbot_trimmer(pair))
    assert got.no_loss, got.lost
    assert got.no_leak, got.leaked


@pytest.mark.parametrize("pair", [p for p in PAIRS if p.source in ("talon", "talon_html")],
                         ids=lambda p: f"{p.source}/{p.name}")
def test_every_common_client_reply_loses_nothing(pair: Pair) -> None:
    assert score(pair, mailbot_trimmer(pair)).no_loss
