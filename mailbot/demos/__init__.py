"""``mailbot demo --example NAME``: each example is a coroutine that plays a deployment of
``examples/<config>.toml`` on the demo's embedded servers and frozen clock."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from mailbot.demos import panel

if TYPE_CHECKING:
    from mailbot.demo import Demo

EXAMPLES: dict[str, Callable[[Demo], Coroutine[Any, Any, None]]] = {
    "panel": panel.run,
}
