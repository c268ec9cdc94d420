"""``mailbot demo --example NAME``: each example is a coroutine that plays a deployment of
``examples/<config>.toml`` on the demo's embedded servers and frozen clock.

An example's config is ``examples/<name>.toml`` unless ``CONFIGS`` names another file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.demos import daily, panel, risk
from mailbot.errors import ConfigError

if TYPE_CHECKING:
    from mailbot.demo import Demo

EXAMPLES: dict[str, Callable[[Demo], Coroutine[Any, Any, None]]] = {
    "daily": daily.run,
    "risk": risk.run,
    "panel": panel.run,
}

CONFIGS = {"risk": "daily-risk.toml"}


def example_path(name: str) -> Path:
    """The example's config, from the source tree or where the package installed it."""
    file = CONFIGS.get(name, f"{name}.toml")
    for folder in (Path(__file__).resolve().parent.parent.parent / "examples",
                   Path(sys.prefix) / "share" / "mailbot" / "examples"):
        if (folder / file).exists():
            return folder / file
    raise ConfigError(f"examples/{file} was not found; reinstall mailbot")
