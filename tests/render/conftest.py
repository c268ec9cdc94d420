"""Debian's Chromium, headless, driven by Playwright: one browser for the whole session.

Playwright's own browser download is never used (``executable_path`` points at the
system's Chromium). Without Chromium the browser tests skip, except in CI, where a
missing browser is a failure: ``./scripts/test`` installs it.

The async API runs on the session's event loop: the sync API would start its own loop
and break every async test that runs while the browser is open.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

CHROMIUM = os.environ.get("MAILBOT_CHROMIUM", "/usr/bin/chromium")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} not found: run ./scripts/test, or apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        await chromium.close()
