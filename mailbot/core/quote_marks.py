"""The marks of a quoted copy: header blocks, attributions, delimiters.

Pure recognisers over a list of lines, used by ``quotes.trim``. Every pattern is
linear, and callers keep long lines away from the ones that scan a whole line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Header field names as Outlook, OWA, Apple Mail and Thunderbird write them, in
# the languages of the corpus plus Welsh. Grouped by role: a real header block
# names at least two different roles.
_HEADER_ROLES: dict[str, tuple[str, ...]] = {
    "from": (
        "from", "von", "de", "da", "van", "från", "fra", "od", "от", "от кого", "lähettäjä",
        "feladó", "oddi wrth", "gan", "من", "發件人", "发件人", "寄件者", "差出人", "kimden", "afsender",
        "avsender", "remitente", "mittente", "expéditeur", "emissor", "nadawca", "odesílatel",
        "frá", "saatja", "sender",
    ),
    "date": (
        "sent", "date", "message du", "gesendet", "envoye", "تم الإرسال", "datum", "envoyé", "envoyé le",
        "enviado", "enviado el",
        "inviato", "verzonden", "skickat", "sendt", "wysłano", "wysłane", "отправлено", "дата",
        "lähetetty", "elküldve", "dátum", "anfonwyd", "dyddiad", "发送时间", "寄件日期", "日付",
        "送信日時", "tarih", "fecha", "data", "päivämäärä", "gönderildi", "odesláno",
    ),
    "to": (
        "to", "an", "à", "a", "para", "aan", "till", "til", "do", "кому", "vastaanottaja",
        "címzett", "adresat", "at", "收件人", "宛先", "kime", "komu", "destinatario", "destinataire",
    ),
    "subject": (
        "subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "ämne", "emne",
        "temat", "тема", "aihe", "tárgy", "pwnc", "主题", "主旨", "件名", "konu", "předmět",
        "assunto",
    ),
    "reply": ("reply-to", "risposta", "antwort an", "répondre à", "responder a"),
    "cc": ("cc", "kopie", "copie", "copia", "kopia", "копия", "kopio", "másolat", "bcc"),
}
_ROLE_OF = {name: role for role, names in _HEADER_ROLES.items() for name in names}
_HEADER_LINE = re.compile(
    r"^[\s\u200e\u200f\u202a-\u202e]*[*_\"]{0,2}\s*("
    + "|".join(sorted((re.escape(n) for n in _ROLE_OF), key=len, reverse=True))
    + r")\s*[*_\"]{0,2}\s*[:：]",
    re.IGNORECASE,
)

_ANY_HEADER_NAME = re.compile(
    r"(?<![^\W\d_])("
    + "|".join(sorted((re.escape(n) for n in _ROLE_OF), key=len, reverse=True))
    + r")\s*[:：]",
    re.IGNORECASE,
)

# "On <date>, <name> wrote:" and its translations. The verb may sit at the end
# ("... wrote:") or before the name ("Am ... schrieb Name <a@b>:"); Gmail wraps
# long attributions over up to three lines.
_WROTE = re.compile(
    r"(?:^|[\s,\"'>])(?:wrote|writes|schrieb|schreibt|a écrit|écrit|escribió|escribio|escreveu|"
    r"ha scritto|scrisse|schreef|geschreven|skrev|skrifaði|napisał|napisała|napisana|napsal|"
    r"napsala|написал|написала|написав|пише|írta|kirjoitti|yazdı|ysgrifennodd|έγραψε|a scris|"
    r"كتب|写道|寫道|のメッセージ|kirjutas|rašė|rakstīja)(?:$|[\s:：(,/])",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^\W*(?:on|am|le|el|il|op|em|w dniu|den|på|dne|ar|in|στις|в|у|في|wiadomość)\b",
    re.IGNORECASE,
)
# Gmail sometimes breaks "<a@b.c>:" so that the tail line starts with ">".
_WRAPPED_TAIL = re.compile(r"^\s*>\s*(?:\w+\s*)?[:：]\s*$")
_ENDS_WITH_ADDRESS = re.compile(r"@[\w.-]+\.\w+\s*(?:>|\]|\))?\s*[:：]$")
# "2016-03-03 17:21 GMT+01:00 Name <a@b.c>:" (Gmail in some locales)
_DATED_ADDRESS = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b.*<[^>@\s]+@[^>\s]+>\s*:\s*$")

_DELIMITER_NAMES = (
    r"original message|original mail|original-nachricht|forwarded message|"
    r"ursprüngliche (?:nachricht|e-mail)|weitergeleitete nachricht|message d'origine|"
    r"message transféré|mensaje original|mensaje reenviado|messaggio originale|"
    r"messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|originalmeddelande|"
    r"vidarebefordrat meddelande|oprindelig (?:meddelelse|besked)|videresendt meddelelse|"
    r"opprinnelig melding|wiadomość oryginalna|исходное сообщение|пересылаемое сообщение|"
    r"alkuperäinen viesti|eredeti üzenet|původní zpráva|neges wreiddiol|"
    r"neges wedi'i hanfon ymlaen|mensagem original|mensagem encaminhada|orijinal ileti|"
    r"원본 메시지|原始邮件|原始郵件|元のメッセージ|reply message"
)
DELIMITER = re.compile(
    r"^\s*[-=_*]{2,}\s*(?:" + _DELIMITER_NAMES + r")\b"
    r"|^\s*(?:" + _DELIMITER_NAMES + r")\s*[-=_*]{2,}"
    r"|^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht|"
    r"début du message réexpédié|inicio del mensaje reenviado)\s*:\s*$"
    r"|^\s*_{20,}\s*$",
    re.IGNORECASE,
)
# A rule of dashes or equals signs starts a quote only when a header block follows.
RULE = re.compile(r"^\s*(?:[-=_*]\s*){10,}$")


def is_quoted(line: str) -> bool:
    """Whether a line carries a ``>`` quote mark (RFC 3676 section 4.5)."""
    return line.lstrip().startswith(">")


def quote_depth(line: str) -> int:
    """How many ``>`` marks open the line ("> >> x" is 3 deep); 0 for an unquoted line."""
    head = line[: len(line) - len(line.lstrip(" \t>"))]
    return head.count(">")


def _header_role(line: str) -> str | None:
    colon = line.find(":", 0, 48)
    if colon < 0:
        colon = line.find("：", 0, 48)
    if colon < 0:
        return None
    m = _HEADER_LINE.match(line, 0, colon + 1)
    return _ROLE_OF.get(m.group(1).casefold()) if m else None


def header_block_end(lines: Sequence[str], start: int) -> int | None:
    """If a header block (From:/Sent:/To:/Subject:) starts at ``start``, the index past it."""
    if _is_collapsed_header(lines[start]):
        return start + 1
    if _header_role(lines[start]) not in ("from", "date"):
        return None
    roles: set[str] = set()
    i = start
    last_header = start
    while i < len(lines) and i - last_header <= 2:
        line = lines[i]
        role = _header_role(line)
        if role is not None:
            roles.add(role)
            last_header = i
        elif line.strip() and not _wraps_header(lines, i):
            break
        i += 1
    return last_header + 1 if len(roles) >= 2 else None


def _is_collapsed_header(line: str) -> bool:
    """A header block run into one line when HTML lost its line breaks:
    "Subject: RE: x 13:46From: a@b.c To: d@e.f", three roles, one of them the sender."""
    if len(line) > 400 or _header_role(line) is None:
        return False
    # .get: a name matched ignoring case may casefold to no key ("KİMDEN").
    roles = {_ROLE_OF.get(m.group(1).casefold()) for m in _ANY_HEADER_NAME.finditer(line)}
    return len(roles - {None}) >= 3 and "from" in roles


def prefixed_header_block_end(lines: Sequence[str], start: int) -> int | None:
    """A header block quoted with another mark (": From: ...", "| Date: ..."): the index past it."""
    mark = lines[start][:2]
    if mark not in (": ", "| "):
        return None
    view = [line[2:] if line.startswith(mark) else "" for line in lines[start : start + 12]]
    end = header_block_end(view, 0)
    return None if end is None else start + end


def _wraps_header(lines: Sequence[str], i: int) -> bool:
    """A long To: list or Subject: wraps onto the next line; a header follows it."""
    line = lines[i]
    if is_quoted(line) or len(line) > 400:
        return False
    if "@" in line:
        return True
    return i + 1 < len(lines) and _header_role(lines[i + 1]) is not None


def attribution_end(lines: Sequence[str], start: int) -> int | None:
    """If an "On ... wrote:" attribution starts at ``start``, the index just past it."""
    line = lines[start]
    if not line.strip() or len(line) > 400 or is_quoted(line):
        return None
    if _DATED_ADDRESS.match(line) or _heads_quote(lines, start):
        return start + 1
    # A wrapped attribution must begin like one; otherwise the sender's own last
    # line above the quote would be read as its first half.
    may_wrap = _has_detail(line) and (
        bool(_ATTRIBUTION_START.match(line)) or not line.rstrip().endswith((".", "!", "?"))
    )
    joined = line.strip()
    for end in range(start, min(start + 3, len(lines))):
        if end > start:
            nxt = lines[end]
            if not may_wrap or not nxt.strip() or len(nxt) > 400:
                return None
            if is_quoted(nxt) and not _WRAPPED_TAIL.match(nxt):
                return None
            # "... w=" + "rote:": a quoted-printable soft break nobody decoded.
            joined = joined[:-1] + nxt.strip() if joined.endswith("=") else f"{joined} {nxt.strip()}"
        if _is_attribution(joined):
            return end + 1
    return None


def _heads_quote(lines: Sequence[str], start: int) -> bool:
    """An attribution with no colon or no date ("Am 20.06.24 um 16:20 schrieb Name",
    "Jane Smith wrote"): one when quoted lines (or, dated, a header block) follow at once."""
    if start + 1 >= len(lines):
        return False
    line, following = lines[start], lines[start + 1]
    if is_quoted(following) and _WROTE.search(line.rstrip(" :：")[-20:] + " "):
        return True
    if not _ATTRIBUTION_START.match(line) or not _has_detail(line) or not _WROTE.search(line):
        return False
    return is_quoted(following) or header_block_end(lines, start + 1) is not None


_DETAIL = re.compile(r"[@\d]")
_DIGIT = re.compile(r"\d")


def _has_detail(text: str) -> bool:
    """An address or a digit: what a real attribution names (a date, a sender)."""
    return _DETAIL.search(text) is not None


def is_attribution(text: str) -> bool:
    """Whether ``text`` (one line, or a wrapped one joined up) is an "On ... wrote:"."""
    return _is_attribution(text)


def _is_attribution(text: str) -> bool:
    text = text.rstrip(" -=\t\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
    if len(text) > 400 or not _has_detail(text):
        return False
    if not text.endswith((":", "：")) and not _WROTE.search(text[-20:]):
        return False
    if _WROTE.search(text):
        return True
    # "30.09.2017, 18.30, "Name" <a@b.c>:" and other verb-less forms.
    return bool(_ENDS_WITH_ADDRESS.search(text)) and _DIGIT.search(text) is not None


def unquote(line: str) -> str:
    """The text of a line without its ``>`` marks."""
    return line.lstrip(" \t>").strip()
