"""Hostile and broken email through the whole reading path: parse, slim, classify, trim, parse commands.

Two fuzzers: hypothesis builds emails from parts (in every run), and a seeded
mutation fuzzer bends the golden emails and a few monsters (a 1 MB line, MIME
nested 300 deep, a winmail.dat, a 25 MB attachment) 100,000 times (``slow``).
Nothing may raise, and no email may take long: a regex that backtracks on a
long line shows up as a slow email here.
"""

from __future__ import annotations

import base64
import os
import random
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailbot.config import Settings
from mailbot.core.inbound import Context, read_parsed
from mailbot.core.message import parse, slim
from mailbot.core.model import Verdict
from tests.conftest import DATA

BOT = "highrisk-bot@hillingdon.example"
# Seconds. A normal email takes about a millisecond and the worst monster (1 MB of nested
# HTML) about 1.5 s here; a backtracking regex would take minutes.
PER_EMAIL_LIMIT = 5.0


def read(raw: bytes, ctx: Context) -> Verdict:
    """Everything the bot does to an email before the database."""
    slim(raw)
    return read_parsed(parse(raw), ctx).verdict


def context(settings: Settings) -> Context:
    return Context(settings.bot.address, settings.directory, "HR", date(2026, 11, 23))


HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["mash@met.police.example", "Police <mash@met.police.example>", BOT, "",
                     "=?utf-8?b?PHNjcmlwdD4=?= <x@y>", "=?x-unknown?q?=FF?=", "a@b, c@d\r\nBcc: e@f",
                     "undisclosed-recipients:;", "<>", "auto-replied", "bulk", "multipart/mixed",
                     "text/plain; charset=x-mac-klingon", "multipart/alternative; boundary=\"b\"",
                     "base64", "quoted-printable", "8bit"]),
)
HEADER_NAMES = st.sampled_from(["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References",
                                "Date", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
                                "Precedence", "X-Autoreply", "Return-Path", "Reply-To", "X-Junk"])
BODY_LINES = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["Case: T.W. - threats", "Partners: Police, ASBIT", "Partners for HR-2026-0001: CNWL",
                     "Action: HR-2026-0001 | mash@met.police.example | Friday | visit", "Done: A-1",
                     "Cannot complete: A-2", "status", "> Case: Q.Q. - quoted", "From: someone",
                     "Sent: Monday", "-----Original Message-----", "On Mon, someone wrote:", "--b",
                     "--b--", "<html><body><p>Case: H.T. - html</p>", "=3D=3D", "\u202e\u0000\ufeff"]),
)


@st.composite
def emails(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=12))
    lines = draw(st.lists(BODY_LINES, max_size=30))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    raw = (head + "\r\n" + "\r\n".join(lines)).encode("utf-8", "surrogateescape")
    if draw(st.booleans()):  # bytes no header should hold
        raw = draw(st.binary(max_size=40)) + raw
    return raw


@hsettings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(emails())
def test_any_email_is_read_without_an_exception(settings: Settings, raw: bytes) -> None:
    verdict = read(raw, context(settings))
    assert verdict in set(Verdict)


# -- the mutation fuzzer ----------------------------------------------------------------


def monsters() -> list[bytes]:
    head = (b"From: mash@met.police.example\r\nTo: " + BOT.encode() +
            b"\r\nSubject: RE: Case call\r\nMessage-ID: <m@x>\r\n")
    nested = head + b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
    for n in range(300):
        nested += f"--b{n}\r\nContent-Type: multipart/mixed; boundary=\"b{n + 1}\"\r\n\r\n".encode()
    nested += b"--b300\r\nContent-Type: text/plain\r\n\r\nCase: D.N. - deep\r\n"
    tnef = (head + b"Content-Type: multipart/mixed; boundary=\"t\"\r\n\r\n--t\r\n"
            b"Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"\x78\x9f\x3e\x22" * 5000)
            + b"--t--\r\n")
    big = (head + b"Content-Type: multipart/mixed; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\n"
           b"Case: B.A. - with a big attachment\r\n--a\r\nContent-Type: application/pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"%PDF" * 6_250_000) + b"--a--\r\n")
    return [
        head + b"\r\n" + b"Case: L.L. - " + b"a" * 1_000_000 + b"\r\n",
        head + b"\r\n" + b"> " * 500_000 + b"\r\n",
        head + b"\r\n" + (b"From: x\r\nSent: y\r\n" * 50_000),
        head + b"Content-Type: text/html\r\n\r\n" + b"<div>" * 200_000 + b"Case: H.H. - deep html",
        nested, tnef, big,
        head + b"\r\n",  # no text at all
        b"\xff\xfe\x00garbage with no headers at all",
        head.replace(b"From: mash", b"From: \xe9\xe8mash") + b"Subject: \xff\xfe\r\n\r\nbody",
    ]


TOKENS = [b"\r\n", b"\n", b"\r\n\r\n", b"--", b"boundary=", b"=?utf-8?b?", b"=?", b"?=", b"Content-Type: ",
          b"multipart/mixed; boundary=\"x\"", b"--x\r\n", b"> ", b"From: ", b"Case: ", b"Partners: ", b"\x00",
          b"\xff", b"\xc3", b"<", b">", b";", b"charset=", b"base64", b"=\r\n", b"=FF", b"\t", b" " * 100,
          b"HR-2026-", b"A-", b"|", b"<div>", b"</p>", b"&#", b"\\", b"\"", b"@"]


def mutate(rng: random.Random, raw: bytes, others: list[bytes]) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        what = rng.random()
        at = rng.randint(0, len(data))
        if what < 0.3:
            data[at:at] = rng.choice(TOKENS)
        elif what < 0.5 and data:
            data[min(at, len(data) - 1)] = rng.randint(0, 255)
        elif what < 0.6:
            del data[at:at + rng.randint(1, 200)]
        elif what < 0.7:
            data = data[:at]  # truncated in transit
        elif what < 0.8:
            other = rng.choice(others)
            data[at:at] = other[rng.randint(0, len(other)):][:rng.randint(0, 3000)]
        elif what < 0.9:
            end = data.find(b"\r\n\r\n")
            if end > 0:  # every header twice
                data[0:0] = data[:end + 2]
        else:
            data[at:at] = rng.choice(TOKENS) * rng.randint(10, 2000)
    return bytes(data)


@pytest.mark.slow
def test_a_hundred_thousand_mutated_emails(settings: Settings) -> None:
    rng = random.Random(20261123)
    seeds = [p.read_bytes() for p in sorted((DATA / "inbound").glob("*.eml"))]
    ctx = context(settings)
    slowest, verdicts = 0.0, dict.fromkeys(Verdict, 0)
    for raw in monsters():  # each as it is, once
        started = time.perf_counter()
        verdicts[read(raw, ctx)] += 1
        slowest = max(slowest, time.perf_counter() - started)
    runs = int(os.environ.get("FUZZ_RUNS", "100000"))
    for _ in range(runs):
        raw = mutate(rng, rng.choice(seeds), seeds)
        started = time.perf_counter()
        verdicts[read(raw, ctx)] += 1
        slowest = max(slowest, time.perf_counter() - started)
    print(f"\nfuzz: {runs} mutated emails and {len(monsters())} monsters, slowest {slowest * 1000:.0f} ms, "
          f"verdicts {dict((v.value, n) for v, n in verdicts.items())}")
    assert slowest < PER_EMAIL_LIMIT
    assert all(verdicts.values())  # the mutations reached every verdict, not only rejections
