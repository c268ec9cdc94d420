"""Whether to believe an email is from who it says, and whether it can be read at all.

- Sender trust (RFC 8601 Authentication-Results, RFC 7489 DMARC). Only a header
  the deployment's own receiving server wrote counts: the topmost one, or those
  whose authserv-id is listed as trusted (anyone can write such a header into
  the mail they send, below the server's). Exchange Online writes its header
  without an authserv-id, and marks mail from inside the organisation with
  X-MS-Exchange-Organization-AuthAs: Internal, a header it removes from mail
  arriving from outside.
- What a receiving server writes (``stamp``): used by the demo's embedded server and
  the tests' SMTP server, so that the default path, with sender trust on, is what runs.
- Encrypted-portal wrappers (Egress, Microsoft Purview message encryption,
  Cisco, Mimecast, S/MIME): the bot cannot open them, and must say so rather
  than answer "nothing understood".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from mailbot.core.message import Inbound

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*([a-z0-9_.-]+)\s*=\s*([a-z0-9_-]+)(.*)$", re.I | re.S)
_PROP = re.compile(r"([a-z0-9_-]+\.[a-z0-9_.-]+)\s*=\s*\"?([^\s;\"]+)\"?", re.I)


@dataclass(frozen=True, slots=True)
class AuthResult:
    method: str  # spf, dkim, dmarc, compauth, ...
    result: str  # pass, fail, none, ...
    props: tuple[tuple[str, str], ...]

    def prop(self, name: str) -> str:
        return next((v for k, v in self.props if k == name), "")


@dataclass(frozen=True, slots=True)
class Trust:
    trusted: bool
    why: str


def parse_results(value: str) -> tuple[str, tuple[AuthResult, ...]]:
    """One Authentication-Results value -> (authserv-id, or "" when the server wrote none; results)."""
    text = value
    for _ in range(5):  # comments nest (RFC 5322 §3.2.2)
        text = _COMMENT.sub(" ", text)
    parts = [p.strip() for p in text.split(";")]
    authserv = ""
    if parts and parts[0] and "=" not in parts[0]:
        authserv = parts.pop(0).split()[0].lower()
    results = []
    for part in parts:
        m = _RESULT.match(part)
        if not m:
            continue
        props = tuple((k.lower(), v.lower()) for k, v in _PROP.findall(m.group(3)))
        results.append(AuthResult(m.group(1).lower(), m.group(2).lower(), props))
    return authserv, tuple(results)


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1), approximated: one domain is the other or its parent."""
    domain = domain.rpartition("@")[2].lower().strip(".")
    return bool(domain) and (domain == from_domain or from_domain.endswith("." + domain)
                             or domain.endswith("." + from_domain))


def sender_trust(mail: Inbound, trusted_ids: tuple[str, ...], own_domain: str) -> Trust:
    if len(mail.from_addresses) != 1:
        return Trust(False, "the From header does not name exactly one sender")
    from_domain = mail.from_addresses[0].rpartition("@")[2].lower()
    if from_domain == own_domain.lower() and \
            (mail.header("x-ms-exchange-organization-authas") or "").strip().lower() == "internal":
        return Trust(True, "sent from inside the organisation (Exchange: AuthAs Internal)")
    headers = [v for k, v in mail.headers if k == "authentication-results"]
    parsed = [parse_results(v) for v in headers]
    # Only the topmost header from our server: it was added last, on arrival. Any lower one
    # came with the email, and may have been written by whoever sent it.
    ours = [r for authserv, r in parsed if not trusted_ids or authserv in trusted_ids][:1]
    results = [r for group in ours for r in group]
    if not results:
        return Trust(False, "the receiving server added no Authentication-Results header we trust")
    dmarc = [r for r in results if r.method == "dmarc"]
    for r in dmarc:
        if r.result == "pass" and _aligned(r.prop("header.from") or from_domain, from_domain):
            return Trust(True, f"DMARC pass for {from_domain}")
        if r.result in ("fail", "quarantine", "reject"):
            return Trust(False, f"DMARC {r.result} for {from_domain}")
    for r in results:
        if r.method == "dkim" and r.result == "pass" and _aligned(r.prop("header.d") or r.prop("header.i"),
                                                                  from_domain):
            return Trust(True, f"DKIM pass, aligned with {from_domain}")
        if r.method == "spf" and r.result == "pass" and _aligned(r.prop("smtp.mailfrom"), from_domain):
            return Trust(True, f"SPF pass, aligned with {from_domain}")
    seen = ", ".join(f"{r.method}={r.result}" for r in results) or "nothing"
    return Trust(False, f"no DMARC, DKIM or SPF pass aligned with {from_domain} ({seen})")


def received_results(authserv_id: str, from_header: str, envelope_from: str) -> str:
    """The Authentication-Results value a receiving server writes (RFC 8601 §2.2), judging
    DMARC by alignment alone: the From domain against the envelope MAIL FROM domain (RFC
    7489 §3.1, SPF-aligned). A server that checks nothing else is enough to tell a partner's
    own email from one sent by someone else in their name."""
    addresses = [a for _, a in getaddresses([from_header]) if "@" in a]
    envelope_domain = envelope_from.rpartition("@")[2].strip(" <>").lower()
    spf = f"spf=pass smtp.mailfrom={envelope_domain}" if envelope_domain else "spf=none"
    if len(addresses) != 1:
        return f"{authserv_id}; {spf}; dmarc=none"
    from_domain = addresses[0].rpartition("@")[2].lower()
    verdict = "pass" if _aligned(envelope_domain, from_domain) else "fail"
    return f"{authserv_id}; {spf}; dmarc={verdict} header.from={from_domain}"


def stamp(raw: bytes, authserv_id: str, envelope_from: str) -> bytes:
    """``raw`` with the receiving server's Authentication-Results header on top, where a
    server adds it on arrival (RFC 8601 §4), above any the sender wrote."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    value = received_results(authserv_id, ", ".join(str(v) for v in headers.get_all("from", [])),
                             envelope_from)
    first = raw.split(b"\n", 1)[0]
    newline = b"\r\n" if first.endswith(b"\r") else b"\n"  # as the email's own lines end
    return b"Authentication-Results: " + value.encode() + newline + raw


_PORTAL_FILES = re.compile(
    r"^(?:message\.rpmsg|encrypted_message\.html?|securedoc.*\.html?|securemessageatt\.html?|"
    r"smime\.p7m|encrypted\.asc|egress.*|.*\.switch)$", re.I)
_PORTAL_TEXT = re.compile(
    r"(?:you(?:'ve| have) received an? (?:secure|encrypted|protected) (?:message|email)|"
    r"has sent you an? (?:secure|encrypted|protected) (?:message|email)|"
    r"sent you a protected message|"
    r"egress (?:switch|secure)|read (?:the|your) secure (?:message|email)|mimecast secure messaging|"
    r"open (?:the|this) encrypted message|one-time pass ?code to (?:read|view))", re.I)
_PORTAL_WORDS = ("secure", "encrypted", "protected", "egress", "one-time pass")


def encrypted_wrapper(mail: Inbound) -> str | None:
    """What kind of encrypted container this is, or None: an email whose content is only in
    an encrypted part cannot hold a readable instruction, whatever else it says."""
    if "pkcs7-mime" in mail.content_type.lower() or "multipart/encrypted" in mail.content_type.lower():
        return "an encrypted (S/MIME or PGP) email"
    if any(_PORTAL_FILES.match(name.strip()) for name in mail.attachments):
        return "an encrypted email (its content is in an attachment only a person can open)"
    return None


def portal_notice(text: str) -> str | None:
    """A secure-portal notice ("you have received a secure message..."), or None. Asked only of
    an email the bot found nothing to do in, so a disclaimer that mentions encryption under a
    real instruction never hides it."""
    head = text[:5000]
    # Every phrase holds one of these words: most replies hold none, and looking for them
    # costs a tenth of running the pattern over the text. (Only for ASCII: under re.I a few
    # other letters match, the long s as "s".)
    if head.isascii() and not any(word in head.lower() for word in _PORTAL_WORDS):
        return None
    match = _PORTAL_TEXT.search(head)
    return f"a secure-portal notice (\"{match.group(0)}\")" if match else None
