"""HTML body -> plain text, stopping where the mail client put the quoted copy.

Used only when a reply has no text/plain part. Outlook, Gmail, Apple Mail,
Thunderbird and Yahoo wrap the quoted original in containers they name
(``gmail_quote``, ``divRplyFwdMsg``, ``moz-cite-prefix``, ``blockquote
type=cite`` ...); everything from the first of them on is the copy, so it is
never turned into text. Scripts, styles and comments never become text, and
entities are decoded, so ``&lt;script&gt;`` reads as the characters a person
saw.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "dl", "dt", "dd",
})
_INVISIBLE = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"})

_QUOTE_CLASSES = frozenset({
    "gmail_quote", "gmail_quote_container", "gmail_attr", "moz-cite-prefix", "yahoo_quoted",
    "protonmail_quote", "zmail_extra", "outlookmessageheader", "wordsection1-quote",
    "ms-outlook-mobile-reference-message", "ydp-quoted",
})
_QUOTE_IDS = frozenset({
    "divrplyfwdmsg", "appendonsend", "stopspelling", "zwchr", "mail-editor-reference-message-container",
    "reply-forward-message", "x_divrplyfwdmsg", "x_appendonsend", "ms-outlook-mobile-reference-message",
})
# Outlook desktop's header block: a div whose top border is the grey rule.
_OUTLOOK_RULE = re.compile(r"border-top\s*:\s*solid\s+#(?:e1e1e1|b5c4df)", re.IGNORECASE)


class _Quoted(Exception):
    """The quoted copy starts here: nothing after it is read, so parsing stops."""


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.stopped = False
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if tag in _INVISIBLE:
            self.hidden += 1
            return
        if _opens_quote(tag, dict(attrs)):
            self.stopped = True
            # The copy is most of a long thread's HTML; parsing it only to ignore it was
            # most of the time spent reading an HTML-only reply.
            raise _Quoted
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK and tag not in _VOID:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.stopped or self.hidden:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.parts.append(data.replace("\xa0", " "))


def _opens_quote(tag: str, attrs: dict[str, str | None]) -> bool:
    classes = {c.casefold() for c in (attrs.get("class") or "").split()}
    if classes & _QUOTE_CLASSES:
        return True
    ident = (attrs.get("id") or "").casefold()
    if ident in _QUOTE_IDS or ident.startswith("olk_src_body_section"):
        return True
    if tag == "blockquote" and (
        (attrs.get("type") or "").casefold() == "cite" or "gmail_quote" in classes
    ):
        return True
    if tag == "div" and attrs.get("name") in ("quote", "quoted-content"):
        return True
    return tag == "div" and bool(_OUTLOOK_RULE.search(attrs.get("style") or ""))


def html_to_text(html: str) -> str:
    """Visible text of an HTML body up to its quoted copy, one paragraph a line."""
    parser = _Extractor()
    try:
        parser.feed(html)
        parser.close()
    except _Quoted:
        pass
    except (AssertionError, ValueError):
        # html.parser raises on a few malformed constructs; keep what was read.
        pass
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
