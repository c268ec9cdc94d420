"""Shared fixtures: the example config and its directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_CONFIG = ROOT / "config.example.toml"

# bench/ holds the corpus scorer the trimming tests share with the benchmark.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mailbot import config  # noqa: E402
from mailbot.config import Settings  # noqa: E402
from mailbot.core.directory import Directory  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return config.load(EXAMPLE_CONFIG)


@pytest.fixture(scope="session")
def directory(settings: Settings) -> Directory:
    return settings.directory
