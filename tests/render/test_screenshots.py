"""``mailbot demo --screenshots``: a PNG of an email at phone and desktop width."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from mailbot.screenshots import chromium, take


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_each_email_is_pictured_at_390_and_1024_px(tmp_path: Path) -> None:
    if not os.access(chromium(), os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{chromium()} not found: ./scripts/test installs it", pytrace=False)
        pytest.skip(f"{chromium()} not found")
    page = tmp_path / "001-case-call-mash.html"
    page.write_text('<html lang="en-GB"><body><h1>Case call</h1><p>' + "text " * 3000 + "</p></body></html>",
                    encoding="utf-8")
    written = take([page], tmp_path / "png")
    assert [p.name for p in written] == ["001-case-call-mash-390.png", "001-case-call-mash-1024.png"]
    (narrow_w, narrow_h), (wide_w, wide_h) = png_size(written[0]), png_size(written[1])
    assert (narrow_w, wide_w) == (390, 1024)
    assert narrow_h > wide_h  # the whole page, taller where the text wraps more


def test_without_chromium_the_demo_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(FileNotFoundError, match="apt-get install chromium"):
        take([], tmp_path / "png")
