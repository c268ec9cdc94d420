"""Reply body -> the text the sender newly wrote.

Each line is classified (quote header, quoted, delimiter, signature, tagline,
banner, text) and one pass then keeps the text lines, stopping at the first
mark of an unmarked quoted copy. The rule that matters most: an Outlook or
Gmail header that is followed by ``>`` lines only introduces a marked quote
(the text after it is still the sender's, as in bottom-posting); one that is
followed by plain lines starts an unmarked copy, and nothing after it is read.

Pure: no I/O. ``fingerprints`` lets the caller name lines that only ever
appear in its own emails (the bot's heading, its "reply above this line"
marker): seeing one means the quoted copy has begun, whatever the language of
the header above it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

_MAX_LINE = 2000  # longer lines are never headers; keeps every regex linear and cheap

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
        "sent", "date", "gesendet", "envoye", "تم الإرسال", "datum", "envoyé", "envoyé le",
        "enviado", "enviado el",
        "inviato", "verzonden", "skickat", "sendt", "wysłano", "wysłane", "отправлено", "дата",
        "lähetetty", "elküldve", "dátum", "anfonwyd", "dyddiad", "发送时间", "寄件日期", "日付",
        "送信日時", "tarih", "fecha", "data", "päivämäärä", "gönderildi", "odesláno",
    ),
    "to": (
        "to", "an", "à", "a", "para", "aan", "till", "til", "do", "кому", "vastaanottaja",
        "címzett", "at", "收件人", "宛先", "kime", "komu", "destinatario", "destinataire",
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

# "On <date>, <name> wrote:" and its translations. The verb may sit at the end
# ("... wrote:") or before the name ("Am ... schrieb Name <a@b>:"); Gmail wraps
# long attributions over up to three lines.
_WROTE = re.compile(
    r"(?:^|[\s,\"'>])(?:wrote|writes|schrieb|schreibt|a écrit|écrit|escribió|escribio|escreveu|"
    r"ha scritto|scrisse|schreef|geschreven|skrev|skrifaði|napisał|napisała|napisana|napsal|"
    r"napsala|написал|написала|написав|пише|írta|kirjoitti|yazdı|ysgrifennodd|έγραψε|a scris|"
    r"كتب|写道|寫道|のメッセージ|kirjutas|rašė|rakstīja)(?:$|[\s:：(,])",
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
_DELIMITER = re.compile(
    r"^\s*[-=_*]{2,}\s*(?:" + _DELIMITER_NAMES + r")\b"
    r"|^\s*(?:" + _DELIMITER_NAMES + r")\s*[-=_*]{2,}"
    r"|^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht|"
    r"début du message réexpédié|inicio del mensaje reenviado)\s*:\s*$"
    r"|^\s*_{20,}\s*$",
    re.IGNORECASE,
)
# A rule of dashes or equals signs starts a quote only when a header block follows.
_RULE = re.compile(r"^\s*(?:[-=_*]\s*){10,}$")

_SIGNATURE_DELIMITER = re.compile(r"^(?:--|-- |—|__)\s*$")

_TAGLINE = re.compile(
    r"^\s*(?:sent (?:from|via|using|with) (?:my |the )?\S.{0,60}"
    r"|get outlook for \S.{0,30}"
    r"|envoyé (?:de|depuis) (?:mon )?\S.{0,40}"
    r"|von meinem \S.{0,40}(?:gesendet)?"
    r"|gesendet von (?:meinem )?\S.{0,40}"
    r"|enviado (?:desde|de) (?:mi |meu )?\S.{0,40}"
    r"|inviato da(?:l mio)? \S.{0,40}"
    r"|verzonden (?:vanaf|met) (?:mijn )?\S.{0,40}"
    r"|skickat från (?:min )?\S.{0,40}"
    r"|anfonwyd o['’]?m \S.{0,40}"
    r"|sent from outlook|sent from mail for windows.{0,20}"
    r"|download (?:the )?outlook .{0,40})\s*$",
    re.IGNORECASE,
)

_BANNER = re.compile(
    r"^\s*[\[*(]*\s*(?:caution|warning|external|external email|external sender|"
    r"this (?:e-?mail|message) (?:originated|was sent|came) from outside|"
    r"you don['’]t often get email from)\b.{0,400}$",
    re.IGNORECASE,
)
_BANNER_BODY = re.compile(
    r"outside (?:of )?(?:the |your |our )?(?:organi[sz]ation|council|trust|network|nhs)|"
    r"do not click links|unless you recognise|unless you recognize|external (?:e-?mail|sender)|"
    r"learn why this is important|don['’]t often get email",
    re.IGNORECASE,
)

_DISCLAIMER = re.compile(
    r"^\s*(?:disclaimer\b|confidentiality notice\b|"
    r"this (?:e-?mail|message|communication)(?: and any (?:files|attachments?)[^.]{0,60})? "
    r"(?:is|are|and any|may (?:contain|be))\s+(?:confidential|private|intended|privileged|"
    r"strictly confidential|for the (?:sole|exclusive) use)|"
    r"the information (?:contained )?in this (?:e-?mail|message)|"
    r"if you (?:are not|have received this (?:e-?mail|message) in error)|"
    r"please consider the environment before printing|"
    r"nhsmail is the secure email and directory service|"
    r"all nhsmail email is scanned)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Trimmed:
    """What the sender newly wrote, and why reading stopped where it did."""

    text: str
    cut_at: int | None  # 0-based index of the first line not read, None if read to the end
    cut_reason: str | None


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _header_role(line: str) -> str | None:
    colon = line.find(":", 0, 48)
    if colon < 0:
        colon = line.find("：", 0, 48)
    if colon < 0:
        return None
    m = _HEADER_LINE.match(line, 0, colon + 1)
    return _ROLE_OF.get(m.group(1).casefold()) if m else None


def _header_block_end(lines: Sequence[str], start: int) -> int | None:
    """If a header block (From:/Sent:/To:/Subject:) starts at ``start``, the index past it."""
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


def _wraps_header(lines: Sequence[str], i: int) -> bool:
    """A long To: list or Subject: wraps onto the next line; a header follows it."""
    line = lines[i]
    if _is_quoted(line) or len(line) > 400:
        return False
    if "@" in line:
        return True
    return i + 1 < len(lines) and _header_role(lines[i + 1]) is not None


def _attribution_end(lines: Sequence[str], start: int) -> int | None:
    """If an "On ... wrote:" attribution starts at ``start``, the index just past it."""
    line = lines[start]
    if not line.strip() or len(line) > 400 or _is_quoted(line):
        return None
    if _DATED_ADDRESS.match(line):
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
            if _is_quoted(nxt) and not _WRAPPED_TAIL.match(nxt):
                return None
            joined = f"{joined} {nxt.strip()}"
        if _is_attribution(joined):
            return end + 1
    return None


def _has_detail(text: str) -> bool:
    return "@" in text or any(c.isdigit() for c in text)


def _is_attribution(text: str) -> bool:
    text = text.rstrip(" -=\t")
    if len(text) > 400 or not _has_detail(text):
        return False
    if not text.endswith((":", "：")) and not _WROTE.search(text[-20:]):
        return False
    if _WROTE.search(text):
        return True
    # "30.09.2017, 18.30, "Name" <a@b.c>:" and other verb-less forms.
    return bool(_ENDS_WITH_ADDRESS.search(text)) and any(c.isdigit() for c in text)


def _quote_start(
    lines: Sequence[str], i: int, fingerprints: frozenset[str], position: _Position
) -> tuple[int | None, str] | None:
    """Whether line ``i`` opens quoted material.

    Returns ``(resume, reason)``: ``resume`` is where reading may go on (a header
    that only introduces ``>`` lines, or one that heads a forwarded message
    with nothing written above it), or None when nothing after it is the
    sender's.
    """
    line = lines[i]
    if fingerprints and _norm(line) in fingerprints:
        return None, "own email"
    end: int | None
    if _DELIMITER.match(line):
        end, reason = i + 1, "original-message delimiter"
        following = next((j for j in range(end, min(end + 3, len(lines))) if lines[j].strip()), None)
        if following is not None:
            end = _header_block_end(lines, following) or end
    elif _RULE.match(line):
        following = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), None)
        block = None if following is None else _header_block_end(lines, following)
        if block is None:
            return None
        end, reason = block, "header block"
    else:
        end, reason = _attribution_end(lines, i), "attribution"
        if end is None:
            end, reason = _header_block_end(lines, i), "header block"
        if end is None:
            return None
    # Under text the sender wrote, a header starts the history, even when it only
    # introduces ">" lines: a top-poster's answer is above it. With nothing
    # above (bottom-posting, or a forward), the sender's text may follow it.
    if position is _Position.TOP:
        return end, reason
    if position is _Position.AFTER_GREETING and _next_is_quoted(lines, end):
        return end, reason
    return None, reason


def _next_is_quoted(lines: Sequence[str], start: int) -> bool:
    following = next((line for line in lines[start:] if line.strip()), None)
    return following is not None and _is_quoted(following)


class _Position(enum.Enum):
    TOP = "nothing written yet"
    AFTER_GREETING = "only a greeting written"
    AFTER_TEXT = "text written"


_GREETING = re.compile(r"^\s*\S+(?:\s+\S+){0,3}\s*,\s*$")


def _position(written: Sequence[str]) -> _Position:
    """Where the reader stands, from the first two lines written so far."""
    if not written:
        return _Position.TOP
    # A greeting is short; the length test keeps the regex off a 1 MB line.
    if len(written) == 1 and len(written[0]) <= 200 and _GREETING.match(written[0]):
        return _Position.AFTER_GREETING
    return _Position.AFTER_TEXT


def trim(body: str, fingerprints: Sequence[str] = ()) -> Trimmed:
    """Return the part of a reply body that its sender newly wrote.

    ``body`` is the decoded text of the reply. ``fingerprints`` are lines of the
    bot's own emails; a line equal to one of them (ignoring case and spacing)
    starts the quoted copy, wherever it stands.
    """
    prints = frozenset(_norm(f) for f in fingerprints if f.strip())
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    written: list[str] = []  # the first two non-blank lines kept: all _position needs
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_quoted(line):
            i += 1
            continue
        start = _quote_start(lines, i, prints, _position(written))
        if start is not None:
            resume, why = start
            if resume is None:
                return Trimmed(_tidy(kept), i, why)
            i = resume
            continue
        if _SIGNATURE_DELIMITER.match(line):
            return Trimmed(_tidy(kept), i, "signature")
        if kept and _DISCLAIMER.match(line):
            return Trimmed(_tidy(kept), i, "disclaimer")
        if _TAGLINE.match(line):
            i += 1
            continue
        banner_end = _banner_end(lines, i)
        if banner_end is not None:
            i = banner_end
            continue
        kept.append(line)
        if len(written) < 2 and line.strip():
            written.append(line)
        i += 1
    return Trimmed(_tidy(kept), None, None)


def _banner_end(lines: Sequence[str], i: int) -> int | None:
    """An external-mail banner: a short paragraph warning about outside senders."""
    if len(lines[i]) > 600 or not _BANNER.match(lines[i]):
        return None
    j = i
    while j < len(lines) and lines[j].strip() and j - i < 6:
        j += 1
    return j if _BANNER_BODY.search(" ".join(lines[i:j])) else None


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
