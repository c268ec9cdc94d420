"""The email writer: what it writes directly must read exactly as the stdlib's own build."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.core import compose
from mailbot.core.compose import Attachment, Letter, build

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
# The characters that matter to quoted-printable: "=", space and tab before a line end, a
# line of ".", CR, non-ASCII, and long runs that need soft breaks.
TEXT = st.lists(st.sampled_from([*"ab .=\t\r\n", "£", "é", "–", "\u2028", "\r\n", "x" * 90]),
                max_size=120).map("".join)


def parts(raw: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return list(msg.items()), [(p.get_content_type(), p.get_content().replace("\r\n", "\n"))
                               for p in msg.walk() if not p.is_multipart()]


def ours(letter: Letter) -> bytes:
    return build(letter, from_address="bot@h.example", from_name="High Risk Bot", now=NOW)[1]


def by_stdlib(letter: Letter) -> bytes:
    """The same letter through the stdlib's generator, as every letter went before."""
    saved = compose._alternative
    compose._alternative = lambda *a: None  # type: ignore[assignment]
    try:
        return ours(letter)
    finally:
        compose._alternative = saved


@settings(max_examples=300, deadline=None)
@given(text=TEXT, html=TEXT, subject=st.text(max_size=80))
def test_a_written_email_reads_as_the_stdlib_builds_it(text: str, html: str, subject: str) -> None:
    letter = Letter(key="case-call:daily:2026-12-02:police", to=("a@met.police.example",),
                    subject=subject, text=text, html=html, in_reply_to="<a@b.example>")
    raw = ours(letter)
    assert parts(raw) == parts(by_stdlib(letter))
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only: bare LF is refused by Exchange


def test_plain_lines_are_written_byte_for_byte_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    letter = Letter(key="k", to=("a@x.example", "b@y.example"), subject="Case call – Monday",
                    text="Dear Police,\n\nHR-2026-0041 T.W. = required £\n", html="<p>Hi £</p>\n",
                    in_reply_to="<a@b>", references=("<c@d>",))
    written = []
    real = compose._alternative
    monkeypatch.setattr(compose, "_alternative", lambda *a: written.append(real(*a)) or written[-1])
    assert ours(letter) == by_stdlib(letter)
    assert written and written[0] is not None  # written directly, not by the stdlib


def test_a_line_of_one_dot_cannot_end_the_smtp_data() -> None:
    letter = Letter(key="k", to=("a@x.example",), subject="s", text="above\n.\nbelow\n", html="")
    raw = ours(letter)
    assert b"\r\n.\r\n" not in raw
    assert parts(raw)[1][0] == ("text/plain", "above\n.\nbelow\n")


def test_letters_with_attachments_still_go_through_the_stdlib() -> None:
    att = Attachment("minutes.txt", "text", "plain", b"minutes\n")
    letter = Letter(key="k", to=("a@x.example",), subject="s", text="t\n", html="<p>t</p>\n",
                    attachments=(att,))
    raw = build(letter, from_address="bot@h.example", from_name="Bot", now=NOW)[1]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    assert [p.get_filename() for p in msg.iter_attachments()] == ["minutes.txt"]


def test_a_stray_surrogate_does_not_stop_the_email() -> None:
    letter = Letter(key="k", to=("a@x.example",), subject="s", text="T.W.\udcff\n", html="")
    assert parts(ours(letter))[1][0] == ("text/plain", "T.W.?\n")
