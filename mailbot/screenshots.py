"""Pictures of the bot's emails as a phone and a desktop show them.

Debian's Chromium, headless, driven by Playwright (never Playwright's own browser
download), renders each saved HTML email at 390 and 1024 pixels wide and writes a
full-page PNG beside its name: ``007-case-call-mash-390.png``. Remote content is
blocked, as Outlook blocks it until a sender is trusted.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

WIDTHS = (390, 1024)


def chromium() -> str:
    """The browser to use: $MAILBOT_CHROMIUM, else Debian's."""
    return os.environ.get("MAILBOT_CHROMIUM", "/usr/bin/chromium")


def take(pages: Sequence[Path], out: Path, widths: Sequence[int] = WIDTHS) -> list[Path]:
    """A PNG of each HTML file at each width, in ``out``; the files written, in order."""
    browser = chromium()
    if not os.access(browser, os.X_OK):
        raise FileNotFoundError(f"{browser} not found: apt-get install chromium (or set MAILBOT_CHROMIUM)")
    out.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_take(browser, pages, out, widths))


async def _take(browser_path: str, pages: Sequence[Path], out: Path, widths: Sequence[int]) -> list[Path]:
    from playwright.async_api import async_playwright

    written: list[Path] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            for width in widths:
                page = await browser.new_page(viewport={"width": width, "height": 900})
                await page.route("**/*", lambda route: route.abort())
                for html in pages:
                    await page.set_content(html.read_text(encoding="utf-8"))
                    png = out / f"{html.stem}-{width}.png"
                    await page.screenshot(path=str(png), full_page=True)
                    written.append(png)
                await page.close()
        finally:
            await browser.close()
    return written
