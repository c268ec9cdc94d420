"""Every email, rendered in Chromium at phone and desktop widths, checked as a person would:
nothing scrolls sideways, the status is on the first screen, one h1, text big enough,
every text colour readable on its background."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core import letters
from mailbot.services import stationery_of
from tests.render.checks import CHECKS_JS
from tests.render.samples import every_letter

pytestmark = pytest.mark.asyncio(loop_scope="session")

WIDTHS = [360, 390, 1024]
FIRST_SCREEN = 600  # px: what a phone shows before any scrolling


def stationery(settings: Settings, *, secure: bool = True) -> letters.Stationery:
    """The example's stationery, as the service builds it; ``secure=False``: no domain is on
    the secure list, so every email is the reference-level one."""
    if not secure:
        settings = dataclasses.replace(settings, privacy=dataclasses.replace(settings.privacy,
                                                                             secure_domains=()))
    return stationery_of(settings, renderer())[settings.meeting.id]


async def measure(page: Any, html: str) -> dict[str, Any]:
    await page.set_content(html)
    found: dict[str, Any] = await page.evaluate(CHECKS_JS)
    return found


async def new_page(browser: Any, width: int) -> Any:
    page = await browser.new_page(viewport={"width": width, "height": 900})
    await page.route("**/*", lambda route: route.abort())  # images off, as Outlook starts
    return page


@pytest.mark.parametrize("secure", [True, False], ids=["full", "references"])
@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize("width", WIDTHS)
async def test_every_email_reads_well_at_this_width(browser: Any, settings: Settings, width: int,
                                                    long: bool, secure: bool) -> None:
    problems: list[str] = []
    page = await new_page(browser, width)
    for name, letter in every_letter(stationery(settings, secure=secure), long=long).items():
        m = await measure(page, letter.html)
        if m["scrollWidth"] > width:
            problems.append(f"{name}: {m['scrollWidth']} px wide, scrolls sideways")
        if m["h1Count"] != 1:
            problems.append(f"{name}: {m['h1Count']} h1")
        first = m["statusBottom"] if m["statusBottom"] is not None else m["h1Bottom"]
        if first is None or first > FIRST_SCREEN:
            problems.append(f"{name}: status ends at {first} px, below the first screen")
        if m["lang"] != "en-GB":
            problems.append(f"{name}: lang={m['lang']!r}")
        for t in m["texts"]:
            least = 13 if t["small"] else 16
            if t["fontSize"] < least:
                problems.append(f"{name}: {t['fontSize']} px text {t['text']!r}")
            if not t["passesAA"]:
                problems.append(f"{name}: contrast {t['ratio']} for {t['text']!r}")
        structure = {k: m[k] for k in ("tablesWithoutRole", "imagesWithoutAlt", "styleElements", "flexOrGrid")}
        if any(structure.values()):
            problems.append(f"{name}: {structure}")
    await page.close()
    assert problems == []


async def test_the_checks_catch_a_bad_email(browser: Any) -> None:
    """The measures above fail the faults issue 16 found: grey 12 px text, a wide table, capitals."""
    bad = ('<html lang="en"><body><p style="color:#777; font-size:12px;">## Please reply ##</p>'
           '<table width="664"><tr><td>HR-2026-0001</td></tr></table></body></html>')
    page = await new_page(browser, 390)
    m = await measure(page, bad)
    await page.close()
    assert m["scrollWidth"] > 390 and m["h1Count"] == 0 and m["lang"] == "en"
    grey = next(t for t in m["texts"] if t["text"].startswith("## Please"))
    assert (grey["fontSize"], grey["ratio"], grey["passesAA"]) == (12, 4.48, False)
    assert m["tablesWithoutRole"] == 1
