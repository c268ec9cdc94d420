"""A large email fetched part by part: its headers and the parts mailbot reads, never an attachment.

mailbot reads only headers, text/* parts and message/* parts (a bounce's report, a forwarded
email kept whole); ``mailbot.core.message.slim`` empties every other part before parsing.
For an email over ``LARGE`` bytes the server's BODYSTRUCTURE (RFC 3501 §7.4.2) says which
parts those are, and only their sections are fetched (``BODY.PEEK[HEADER]``,
``BODY.PEEK[n.MIME]``, ``BODY.PEEK[n]``), then put back together in MIME form: the same
message with the other parts' bodies left empty, as ``slim`` would have made it. A 10 MB
attachment then costs neither the bandwidth nor the memory.

Anything the layout cannot describe (no boundary, a structure the server could not parse)
returns None, and the caller fetches the whole email as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LARGE = 256_000  # bytes: nearly every reply is smaller, and is fetched whole
_KEPT = (b"text", b"message")  # what the parser reads; every other leaf part is an attachment
_MAX_DEPTH = 10

Piece = bytes | str  # literal bytes, or a BODY section to fetch ("HEADER", "2.MIME", "2")


def layout(structure: Any) -> list[Piece] | None:
    """The pieces that rebuild the email from its BODYSTRUCTURE, or None if it cannot."""
    if not _is_multipart(structure):
        # A single part: text is read whole (the caller fetches it all); anything else is
        # an attachment on its own, and only the header is read.
        return None if _kind(structure) in _KEPT else ["HEADER"]
    out: list[Piece] = ["HEADER"]
    return out if _children(structure, "", out, 0) else None


def _children(structure: Any, section: str, out: list[Piece], depth: int) -> bool:
    boundary = _params(structure[2] if len(structure) > 2 else None).get(b"BOUNDARY")
    if not boundary or depth > _MAX_DEPTH:
        return False
    for n, part in enumerate(structure[0], start=1):
        sub = f"{section}.{n}" if section else str(n)
        out += [b"\r\n--" + boundary + b"\r\n", f"{sub}.MIME"]
        if _is_multipart(part):
            if not _children(part, sub, out, depth + 1):
                return False
        elif _kind(part) in _KEPT:
            out.append(sub)
        # else: an attachment, its header kept and its body left empty
    out.append(b"\r\n--" + boundary + b"--\r\n")
    return True


def sections(pieces: Sequence[Piece]) -> list[str]:
    """The FETCH items the pieces need."""
    return [f"BODY.PEEK[{p}]" for p in pieces if isinstance(p, str)]


def assemble(pieces: Sequence[Piece], item: dict[bytes, Any]) -> bytes | None:
    """The email rebuilt from one FETCH response; None if the server left a section out."""
    out: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, bytes):
            out.append(piece)
            continue
        value = item.get(f"BODY[{piece}]".encode())
        if value is None:
            return None
        out.append(bytes(value))
    return b"".join(out)


def _is_multipart(structure: Any) -> bool:
    return bool(structure) and isinstance(structure[0], list)


def _kind(structure: Any) -> bytes:
    value = structure[0] if structure else b""
    return value.lower() if isinstance(value, bytes) else b""


def _params(value: Any) -> dict[bytes, bytes]:
    """A BODYSTRUCTURE parameter list (name value name value ...) as a dict, names upper-cased."""
    if not isinstance(value, tuple):
        return {}
    items = [v for v in value if isinstance(v, bytes)]
    return {items[i].upper(): items[i + 1] for i in range(0, len(items) - 1, 2)}
