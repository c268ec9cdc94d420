"""Sender trust from Authentication-Results, and encrypted wrappers, read without any server.

The headers are in the forms Exchange Online and Gmail write (Microsoft Learn, "Anti-spam
message headers in Microsoft 365"; Gmail's "Show original"), with the partner's domain.
"""

from __future__ import annotations

from mailbot.core.message import parse
from mailbot.core.trust import encrypted_wrapper, parse_results, portal_notice, sender_trust

EXCHANGE_PASS = ("spf=pass (sender IP is 40.107.21.62)\r\n smtp.mailfrom=met.police.example; dkim=pass "
                 "(signature was verified)\r\n header.d=met.police.example;dmarc=pass action=none\r\n "
                 "header.from=met.police.example;compauth=pass reason=100")
EXCHANGE_SPOOF = ("spf=fail (sender IP is 203.0.113.7)\r\n smtp.mailfrom=met.police.example; dkim=none "
                  "(message not signed)\r\n header.d=none;dmarc=fail action=quarantine\r\n "
                  "header.from=met.police.example;compauth=fail reason=000")
GMAIL_PASS = ("mx.google.com;\r\n       dkim=pass header.i=@met.police.example header.s=selector1 "
              "header.b=Ab12Cd34;\r\n       spf=pass (google.com: domain of mash@met.police.example "
              "designates 40.107.21.62 as permitted sender) smtp.mailfrom=mash@met.police.example;\r\n"
              "       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=met.police.example")
GMAIL_NO_DMARC_DKIM_ALIGNED = ("mx.google.com;\r\n       dkim=pass header.i=@mail.hidva.example "
                               "header.s=s1 header.b=x;\r\n       spf=softfail (google.com: domain of "
                               "transitioning a@bulk.example) smtp.mailfrom=a@bulk.example")
GMAIL_SPOOF = ("mx.google.com;\r\n       spf=fail (google.com: domain of mash@met.police.example does "
               "not designate 203.0.113.7 as permitted sender) smtp.mailfrom=mash@met.police.example;\r\n"
               "       dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=met.police.example")


def mail(sender: str, *results: str, extra: str = "", body: str = "Case: T.W. - threats") -> bytes:
    headers = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return (f"{headers}{extra}From: {sender}\r\nTo: highrisk-bot@hillingdon.example\r\n"
            f"Subject: RE: Case call\r\nMessage-ID: <x@y>\r\n\r\n{body}\r\n").encode()


def trust(raw: bytes, trusted: tuple[str, ...] = ()) -> tuple[bool, str]:
    verdict = sender_trust(parse(raw), trusted, "hillingdon.example")
    return verdict.trusted, verdict.why


def test_exchange_online_headers() -> None:
    authserv, results = parse_results(EXCHANGE_PASS.replace("\r\n", ""))
    assert authserv == ""  # Exchange Online writes no authserv-id
    assert [(r.method, r.result) for r in results] == [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"),
                                                       ("compauth", "pass")]
    assert trust(mail("mash@met.police.example", EXCHANGE_PASS)) == (True, "DMARC pass for met.police.example")
    ok, why = trust(mail("mash@met.police.example", EXCHANGE_SPOOF))
    assert not ok and why == "DMARC fail for met.police.example"


def test_gmail_headers() -> None:
    assert trust(mail("mash@met.police.example", GMAIL_PASS), ("mx.google.com",))[0]
    assert not trust(mail("mash@met.police.example", GMAIL_SPOOF), ("mx.google.com",))[0]
    # No DMARC result: a DKIM pass for a subdomain of the From domain is aligned (relaxed).
    assert trust(mail("referrals@hidva.example", GMAIL_NO_DMARC_DKIM_ALIGNED), ("mx.google.com",)) == \
        (True, "DKIM pass, aligned with hidva.example")


def test_a_pass_for_another_domain_is_not_a_pass_for_this_one() -> None:
    other = GMAIL_PASS.replace("met.police.example", "evil.example")
    ok, why = trust(mail("mash@met.police.example", other), ("mx.google.com",))
    assert not ok and "aligned with met.police.example" in why


def test_a_header_the_sender_wrote_is_not_believed() -> None:
    # The sender's own forged pass sits below the receiving server's fail: only the top counts.
    assert not trust(mail("mash@met.police.example", EXCHANGE_SPOOF, EXCHANGE_PASS))[0]
    forged_gmail = GMAIL_PASS.replace("mx.google.com", "mx.forger.example")
    assert not trust(mail("mash@met.police.example", forged_gmail), ("mx.google.com",))[0]
    # With a trusted id, the topmost header carrying it decides, not a later copy.
    assert not trust(mail("mash@met.police.example", GMAIL_SPOOF, GMAIL_PASS), ("mx.google.com",))[0]


def test_no_header_is_no_trust_but_internal_exchange_mail_is_trusted() -> None:
    ok, why = trust(mail("mash@met.police.example"))
    assert not ok and "no Authentication-Results" in why
    internal = "X-MS-Exchange-Organization-AuthAs: Internal\r\n"
    assert trust(mail("adultmash@hillingdon.example", extra=internal))[0]
    # ...only for the organisation's own domain: an outsider cannot claim it.
    assert not trust(mail("mash@met.police.example", extra=internal))[0]


def test_encrypted_wrappers_are_recognised() -> None:
    rpmsg = (b"From: safeguarding@thh.example\r\nSubject: Referral\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
             b"Jane Doe has sent you a protected message.\r\n--b\r\nContent-Type: application/x-microsoft-rpmsg"
             b"-message\r\nContent-Disposition: attachment; filename=message.rpmsg\r\n\r\nAAAA\r\n--b--\r\n")
    assert encrypted_wrapper(parse(rpmsg)) is not None
    smime = (b"From: mash@met.police.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: "
             b"application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n")
    assert encrypted_wrapper(parse(smime)) == "an encrypted (S/MIME or PGP) email"
    assert portal_notice("You have received a secure message from Jane Doe via Egress Switch. "
                         "Click here to read it.")
    assert portal_notice("Case: T.W. - threats to a neighbour\nThis email was sent over a secure "
                         "connection.") is None
    assert encrypted_wrapper(parse(mail("mash@met.police.example"))) is None


def test_what_the_receiving_server_writes_is_read_back_as_it_meant() -> None:
    from mailbot.core.trust import received_results, stamp

    own = mail("mash@met.police.example")
    stamped = stamp(own, "mx.hillingdon.example", "mash@met.police.example")
    assert stamped.startswith(b"Authentication-Results: mx.hillingdon.example; spf=pass "
                              b"smtp.mailfrom=met.police.example; dmarc=pass header.from=met.police.example\r\n")
    assert trust(stamped, ("mx.hillingdon.example",)) == (True, "DMARC pass for met.police.example")
    # A bounce address at a subdomain of the From domain is aligned (relaxed, RFC 7489 §3.1).
    assert trust(stamp(own, "mx.hillingdon.example", "b@mail.met.police.example"),
                 ("mx.hillingdon.example",))[0]
    # Sent in the police's name from another domain: a fail, above a pass the sender wrote.
    forged = stamp(mail("mash@met.police.example", GMAIL_PASS), "mx.hillingdon.example", "x@forger.example")
    assert trust(forged, ("mx.hillingdon.example",)) == (False, "DMARC fail for met.police.example")
    # ...and a pass the sender wrote under our own server's name sits below the real verdict.
    own_name = "mx.hillingdon.example; dmarc=pass header.from=met.police.example"
    forged = stamp(mail("mash@met.police.example", own_name), "mx.hillingdon.example", "x@forger.example")
    assert trust(forged, ("mx.hillingdon.example",)) == (False, "DMARC fail for met.police.example")
    assert received_results("mx.h", "a@x.example, b@y.example", "a@x.example") == \
        "mx.h; spf=pass smtp.mailfrom=x.example; dmarc=none"
    assert stamp(b"From: a@x.example\n\nhi\n", "mx.h", "a@x.example").count(b"\r") == 0  # its own newlines


def test_a_portal_notice_is_found_in_any_case_and_in_text_beyond_ascii() -> None:
    for phrase in ("YOU HAVE RECEIVED A SECURE MESSAGE", "Sent You A Protected Message",
                   "Mimecast Secure Messaging", "open this Encrypted message", "one-time PASSCODE to view",
                   "egress switch"):
        assert portal_notice(f"Dear colleague,\n{phrase} from the duty desk.\nRegards"), phrase
    # Under the pattern's IGNORECASE the long s is an "s": the quick look must not skip it.
    assert portal_notice("Read your \u017fecure message here – Egreſs")
    assert portal_notice("Thanks – we will attend at 12:00.") is None
