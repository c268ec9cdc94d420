"""Scores a reply trimmer on the reply-trimming corpus, with the corpus README's metrics.

Each pair is NAME.in.txt (or NAME.in.html), NAME.out.txt and NAME.meta.json.
Lines are compared after collapsing whitespace; quoted lines also after
stripping leading '>', '|' and spaces; lines with fewer than 3 letters or
digits are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailbot.core.htmltext import html_to_text
from mailbot.core.quotes import trim

Trimmer = Callable[[str], str]


@dataclass(frozen=True)
class Pair:
    source: str
    name: str
    body: str
    is_html: bool
    expected: str
    quoted: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    name: str
    no_leak: bool
    no_loss: bool
    exact: bool
    leaked: tuple[str, ...]
    lost: tuple[str, ...]

    @property
    def safe(self) -> bool:
        return self.no_leak and self.no_loss


def _norm(line: str) -> str:
    return " ".join(line.split())


def _unquote(line: str) -> str:
    return _norm(re.sub(r"^[>|\s]+", "", line))


def _counts(line: str) -> bool:
    return sum(ch.isalnum() for ch in line) >= 3


def load_pairs(folder: Path) -> Iterator[Pair]:
    for meta_path in sorted(folder.glob("*.meta.json")):
        name = meta_path.name.removesuffix(".meta.json")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        html = folder / f"{name}.in.html"
        src = html if html.exists() else folder / f"{name}.in.txt"
        yield Pair(
            source=folder.name,
            name=name,
            body=src.read_text(encoding="utf-8"),
            is_html=src.suffix == ".html",
            expected=(folder / f"{name}.out.txt").read_text(encoding="utf-8"),
            quoted=tuple(meta.get("quoted_lines", [])),
            optional=tuple(meta.get("optional_lines", [])),
        )


def mailbot_trimmer(pair: Pair) -> str:
    body = html_to_text(pair.body) if pair.is_html else pair.body
    return trim(body).text


def score(pair: Pair, output: str) -> Score:
    out_lines = {_unquote(line) for line in output.splitlines()}
    out_norm = {_norm(line) for line in output.splitlines()}
    leaked = tuple(
        q for q in pair.quoted if _counts(_unquote(q)) and _unquote(q) in out_lines
    )
    optional = {_norm(o) for o in pair.optional}
    lost = tuple(
        e
        for e in pair.expected.splitlines()
        if _counts(e) and _norm(e) not in optional and _norm(e) not in out_norm
    )
    exact = _norm(output) == _norm(pair.expected)
    return Score(pair.name, not leaked, not lost, exact, leaked, lost)
