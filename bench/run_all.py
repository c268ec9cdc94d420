"""Every speed and memory figure of mailbot beside a baseline measured in the same run.

Usage: python bench/run_all.py [--quick] [--only=ingest,latency,fan-out,memory,digest,start-up]
                               [--database=sqlite|postgresql]

Needs Dovecot (dovecot-imapd, dovecot-lmtpd): the IMAP figures run against a
real Dovecot and aiosmtpd on 127.0.0.1, as the tests do. Prints one table.
``--database=postgresql`` stores everything in Debian's PostgreSQL instead of SQLite: a
private cluster on disk with PostgreSQL's own durability settings (fsync on).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402
from imapclient import IMAPClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.mailgen import backlog, reply  # noqa: E402
from mailbot import config  # noqa: E402
from mailbot.adapters.clock import SettableClock  # noqa: E402
from mailbot.adapters.db import Store, connect, upgrade  # noqa: E402
from mailbot.adapters.imap import IdleWatcher, ImapMailbox  # noqa: E402
from mailbot.adapters.smtp import SmtpPostman  # noqa: E402
from mailbot.adapters.templates import renderer  # noqa: E402
from mailbot.loop import Runtime  # noqa: E402
from mailbot.services import Services  # noqa: E402
from tests.rig import database  # noqa: E402
from tests.rig.dovecot import DovecotServer  # noqa: E402
from tests.rig.postgres import PostgresServer  # noqa: E402
from tests.rig.smtp import SMTPServer  # noqa: E402
from tests.rig.world import BOT_PASSWORD, password_of, rig_config  # noqa: E402

BOT = "highrisk-bot@hillingdon.example"
Row = tuple[str, str, str, str, str]  # name, mailbot, baseline, ratio, goal


def settings_for(dc: DovecotServer, smtp: SMTPServer, work: Path, partners: int = 0, url: str = "") -> Any:
    data = rig_config(dc, smtp, work / f"bench-{time.monotonic_ns()}.db")  # a fresh database
    if url:
        data["database"] = {"url": url}
    if partners:
        data["partner"] = data["partner"][:1] + [
            {"code": f"p{n:03d}", "name": f"Partner {n}", "emails": [f"p{n:03d}@partners.example"]}
            for n in range(partners - 1)]
    return config.parse(data)


def services_for(settings: Any, start: datetime, speed: float = 0.0) -> Services:
    engine = connect(settings.database_url)
    upgrade(engine)
    # As 'mailbot run' builds them: its templates compiled when it starts.
    return Services(settings, Store(engine), SettableClock(start, speed), renderer(compile_now=True))


def seed(dc: DovecotServer, mails: list[bytes]) -> None:
    with IMAPClient("127.0.0.1", port=dc.imap_port, ssl=False) as c:
        c.login(BOT, BOT_PASSWORD)
        for start in range(0, len(mails), 200):
            c.multiappend("INBOX", mails[start:start + 200])


def clear(dc: DovecotServer) -> None:
    with IMAPClient("127.0.0.1", port=dc.imap_port, ssl=False) as c:
        c.login(BOT, BOT_PASSWORD)
        for folder in ("INBOX", "mailbot/processed", "mailbot/failed"):
            if c.folder_exists(folder):
                c.select_folder(folder)
                uids = c.search(["ALL"])
                if uids:
                    c.delete_messages(uids)
                    c.expunge()


def raw_rate(dc: DovecotServer) -> float:
    """Baseline: imapclient BODY.PEEK[] in batches + message_from_bytes(policy=default) + get_body()."""
    t0 = time.perf_counter()
    with IMAPClient("127.0.0.1", port=dc.imaps_port, ssl=True,
                    ssl_context=__import__("ssl").create_default_context(cafile=str(dc.ca))) as c:
        c.login(BOT, BOT_PASSWORD)
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["ALL"])
        for start in range(0, len(uids), 200):
            for item in c.fetch(uids[start:start + 200], ["BODY.PEEK[]"]).values():
                msg = email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default)
                part = msg.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
                if part is not None:
                    part.get_content()
    return len(uids) / (time.perf_counter() - t0)


def mailbot_ingest(settings: Any) -> tuple[float, int]:
    """mailbot end to end: fetch, classify, trim, parse, apply, acknowledgement queued, move."""
    services = services_for(settings, datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
    rt = Runtime(services, ImapMailbox(settings.imap), postman=None)
    t0 = time.perf_counter()

    asyncio.run(rt.pump())
    seconds = time.perf_counter() - t0
    rt.close()
    done = sum(v for k, v in rt.stats.items() if k.startswith("inbound-"))
    return done / seconds, done


def bench_ingest(dc: DovecotServer, smtp: SMTPServer, work: Path, n: int, rounds: int = 3) -> list[Row]:
    """Three rounds, each the raw rate then mailbot's over the same backlog; the median of
    each (one round's two figures moved by a sixth between runs of the same code)."""
    rates, raws = [], []
    for _ in range(rounds):
        clear(dc)
        seed(dc, backlog(n))
        raws.append(raw_rate(dc))
        rate, done = mailbot_ingest(settings_for(dc, smtp, work))
        assert done == n, f"only {done} of {n} ingested"
        rates.append(rate)
        print(f"round: ingest {rate:.0f} raw {raws[-1]:.0f} msg/s", file=sys.stderr, flush=True)
    rate, raw = statistics.median(rates), statistics.median(raws)
    return [(f"ingest {n} replies (msg/s), median of {rounds}", f"{rate:,.0f}", f"{raw:,.0f}",
             f"{rate / raw:.2f}x", ">= 1.0x raw")]


def bench_memory(dc: DovecotServer, work: Path, n: int) -> list[Row]:
    """Peak RSS of a separate process ingesting a backlog with twenty 10 MB attachments."""
    clear(dc)
    seed(dc, backlog(n, seed=11, big=20))
    # The database made beforehand, as `mailbot db upgrade` does at install: the figure is a
    # running service's reading a backlog, which finds its schema up to date.
    url = database.url(work, f"memory-{time.monotonic_ns()}.db")
    made = connect(url)
    upgrade(made)
    made.dispose()
    settings = work / f"memory-{time.monotonic_ns()}.pickle"
    settings.write_bytes(pickle.dumps(settings_for(dc, type("S", (), {"port": 1})(), work, url=url)))
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD": BOT_PASSWORD, "MAILBOT_SMTP_PASSWORD": BOT_PASSWORD}
    out = subprocess.run([sys.executable, str(ROOT / "bench/memory_child.py"), str(settings)],
                         capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    base = subprocess.run([sys.executable, "-c", "import imapclient\n"
                           "for line in open('/proc/self/status'):\n"
                           "    line.startswith('VmHWM:') and print(line.split()[1])"],
                          capture_output=True, text=True, check=True).stdout
    mb, base_mb = result["rss"] / 1024, int(base) / 1024
    return [(f"peak RSS, {result['done']} replies with 20 x 10 MB attachments", f"{mb:.0f} MB",
             f"{base_mb:.0f} MB (bare interpreter + imapclient)", "", "< 100 MB")]


def bench_latency(dc: DovecotServer, smtp: SMTPServer, work: Path, n: int) -> list[Row]:
    """Partner's send -> acknowledgement accepted for delivery, with IDLE, `mailbot run` style."""
    clear(dc)
    settings = settings_for(dc, smtp, work)
    services = services_for(settings, datetime(2026, 11, 23, 10, 30, tzinfo=UTC), speed=1)
    rt = Runtime(services, ImapMailbox(settings.imap), SmtpPostman(settings.smtp, BOT), poll_seconds=30,
                 idle=IdleWatcher(settings.imap, wake=lambda: None))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=lambda: loop.run_until_complete(rt.run(stop, scheduler=False)))
    thread.start()
    time.sleep(1.0)
    police = "mash@met.police.example"
    ctx = __import__("ssl").create_default_context(cafile=str(dc.ca))
    latencies = []

    async def send_all() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp.port, start_tls=True, tls_context=ctx,
                                   username=police, password=password_of(police)) as client:
            for k in range(n):
                raw = reply(k, __import__("random").Random(k))
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                del msg["From"]
                msg["From"] = police
                del msg["Subject"]
                msg["Subject"] = "Case call"  # no command: add one that needs an answer
                mid = str(msg["Message-ID"])
                body = "Partners for HR-2026-0001: CNWL\n"
                msg.set_content(body)
                seen = len(smtp.messages)
                t0 = time.perf_counter()
                await client.send_message(msg, sender=police, recipients=[BOT])
                while not any(mid.encode() in m.data for m in smtp.messages[seen:]
                              if m.rcpt_tos == [police]):
                    await asyncio.sleep(0.002)
                latencies.append(time.perf_counter() - t0)

    asyncio.run(send_all())
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)
    # Baseline: Dovecot's own IDLE notice (APPEND on one connection -> idle_check on another).
    idle = []
    with IMAPClient("127.0.0.1", port=dc.imap_port, ssl=False) as w, \
            IMAPClient("127.0.0.1", port=dc.imap_port, ssl=False) as a:
        w.login(BOT, BOT_PASSWORD)
        a.login(BOT, BOT_PASSWORD)
        w.select_folder("INBOX")
        for _ in range(20):
            w.idle()
            t0 = time.perf_counter()
            a.append("INBOX", b"Subject: x\r\n\r\nx\r\n")
            w.idle_check(timeout=5)
            idle.append(time.perf_counter() - t0)
            w.idle_done()
    p50, p99 = statistics.median(latencies), sorted(latencies)[int(0.99 * (len(latencies) - 1))]
    base = statistics.median(idle)
    return [(f"reply -> ack, p50 of {n}", f"{p50 * 1000:,.0f} ms", f"{base * 1000:,.0f} ms (Dovecot IDLE)",
             f"{p50 / base:.1f}x", "< 1 s"),
            (f"reply -> ack, p99 of {n}", f"{p99 * 1000:,.0f} ms", "", "", "< 3 s")]


class SmtpProcess:
    """The rig's aiosmtpd server in a process of its own. In this process it shared one
    interpreter lock with the client measured: whatever the client did while waiting for an
    answer (mailbot records each outcome then) held up the very answer it waited for."""

    def __init__(self, users: dict[str, str], certfile: str, keyfile: str) -> None:
        script = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r})\n"
                  "from tests.rig.smtp import SMTPServer\n"
                  f"s = SMTPServer(json.loads({json.dumps(users)!r}), {certfile!r}, {keyfile!r}, None)\n"
                  "s.start(); print(s.port, flush=True); sys.stdin.read(); s.stop()\n")
        self.proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def bench_fanout(dc: DovecotServer, work: Path, partners: int, rounds: int = 5) -> list[Row]:
    """Five rounds, mailbot then the raw loop over the very bytes it sent, each round on a
    fresh database; the median of each. A single second-long round swung by a third between
    runs on the same code, more than the differences it is meant to show, and three rounds
    still moved the ratio by a tenth between runs. The SMTP server runs in a process of its
    own, as a real one is on a machine of its own."""
    ca = dc.ca
    server = SmtpProcess({BOT: BOT_PASSWORD}, str(dc.root / "tls/cert.pem"), str(dc.root / "tls/key.pem"))
    sends, alls, raws = [], [], []
    try:
        for _ in range(rounds):
            settings = settings_for(dc, server, work, partners=partners)
            services = services_for(settings, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
            t0 = time.perf_counter()
            services.send_case_call(settings.meeting.id, date(2026, 11, 23))
            queued = time.perf_counter()
            sent = asyncio.run(services.drain(SmtpPostman(settings.smtp, BOT)))
            done = time.perf_counter()
            assert sent == partners, sent
            with services.store.transaction() as tx:
                rows = tx.conn.exec_driver_sql(
                    "select recipients, raw from outbox join outbox_raw using (key) order by id").fetchall()
            services.store.close()

            async def raw_loop(rows: list[Any] = rows) -> None:
                async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=True,
                                           tls_context=__import__("ssl").create_default_context(cafile=str(ca)),
                                           username=BOT, password=BOT_PASSWORD) as client:
                    for recipients, raw in rows:
                        await client.sendmail(BOT, recipients.split(","), raw)

            r0 = time.perf_counter()
            asyncio.run(raw_loop())
            raws.append(time.perf_counter() - r0)
            sends.append(done - queued)
            print(f"round: send {done - queued:.3f} all {done - t0:.3f} raw {raws[-1]:.3f}", file=sys.stderr)
            alls.append(done - t0)
    finally:
        server.stop()
    send_s, all_s, raw_s = statistics.median(sends), statistics.median(alls), statistics.median(raws)
    return [(f"fan-out to {partners}: send (msg/s), median of {rounds}", f"{partners / send_s:,.0f}",
             f"{partners / raw_s:,.0f}", f"{raw_s / send_s:.2f}x", ">= 0.9x raw"),
            (f"fan-out to {partners}: render+queue+send (msg/s), median of {rounds}",
             f"{partners / all_s:,.0f}", f"{partners / raw_s:,.0f}", f"{raw_s / all_s:.2f}x", ">= 0.7x raw")]


def bench_digest(work: Path, n: int) -> list[Row]:
    settings = config.load(ROOT / "config.example.toml")
    settings = config.parse({**tomllib.loads((ROOT / "config.example.toml").read_text()),
                             "database": {"url": database.url(work, "digest.db")}})
    today = date(2026, 12, 8)
    services = services_for(settings, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    with services.store.transaction() as tx:
        now = datetime(2026, 11, 1, tzinfo=UTC)
        tx.conn.execute(text(
            "insert into cases (meeting, reference, year, number, subject, concern, referrer, status, "
            "created_at, created_by) values ('daily', 'HR-2026-0001', 2026, 1, 'T.W.', 'x', 'police', "
            "'open', :now, 'bench')"), {"now": now.isoformat()})
        rows = []
        for k in range(n):
            overdue = k % 200 == 0  # 0.5 %: a realistic handful of open, late actions
            due = today - timedelta(days=1 + k % 5) if overdue else today + timedelta(days=k % 300 - 150)
            rows.append({"owner": f"owner{k % 97}@met.police.example", "due": str(due), "text": f"action {k}",
                         "status": "open" if overdue or due >= today else "done", "now": now.isoformat()})
        tx.conn.execute(text(
            "insert into actions (meeting, case_id, meeting_day, owner, owner_partner, due, text, status, "
            "last_note, updated_at, created_at, created_by) values ('daily', (select id from cases), "
            "'2026-11-01', :owner, 'police', :due, :text, :status, '', :now, :now, 'bench')"), rows)
    with services.store.transaction() as tx:
        t0 = time.perf_counter()
        everything = tx.actions.find("daily")
        scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = services.digest(settings.meeting, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    digest_s = time.perf_counter() - t0
    assert any(d.startswith("digest") for d in done), done
    return [(f"overdue digest over {len(everything):,} actions", f"{digest_s * 1000:,.0f} ms",
             f"{scan * 1000:,.0f} ms (reading every action)", f"{scan / digest_s:.1f}x faster", "< 200 ms")]


def bench_startup() -> list[Row]:
    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    ours = best([sys.executable, "-m", "mailbot", "--help"])
    bare = best([sys.executable, "-c", "pass"])
    return [("start-up: mailbot --help", f"{ours * 1000:,.0f} ms", f"{bare * 1000:,.0f} ms (python -c pass)",
             f"{ours / bare:.1f}x", "< 300 ms")]


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    on = next((a.split("=", 1)[1] for a in argv if a.startswith("--database=")), "sqlite")
    if on not in ("sqlite", "postgresql"):
        print(f"--database must be sqlite or postgresql, not {on!r}", file=sys.stderr)
        return 2
    n_ingest, n_latency, n_memory = (500, 50, 500) if quick else (5000, 200, 5000)
    work = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    os.environ["MAILBOT_IMAP_PASSWORD"] = BOT_PASSWORD
    os.environ["MAILBOT_SMTP_PASSWORD"] = BOT_PASSWORD
    import logging

    logging.getLogger("mail.log").setLevel(logging.ERROR)
    logging.getLogger("mailbot").setLevel(logging.ERROR)
    pg = PostgresServer(durable=True).start() if on == "postgresql" else None
    database.use(pg)
    dc = DovecotServer().start()
    smtp = SMTPServer(dc.users, str(dc.root / "tls/cert.pem"), str(dc.root / "tls/key.pem"), dc.lmtp_port)
    rows: list[Row] = []
    try:
        settings = config.parse(rig_config(dc, smtp, work / "x.db"))
        for address in [BOT, *(a for p in settings.partners for a in p.emails)]:
            dc.add_user(address, BOT_PASSWORD if address == BOT else password_of(address))
        smtp.start()
        sections: list[tuple[str, Callable[[], list[Row]]]] = [
            ("ingest", lambda: bench_ingest(dc, smtp, work, n_ingest)),
            ("latency", lambda: bench_latency(dc, smtp, work, n_latency)),
            ("fan-out", lambda: bench_fanout(dc, work, 200)),
            ("memory", lambda: bench_memory(dc, work, n_memory)),
            ("digest", lambda: bench_digest(work, 100_000)),
            ("start-up", bench_startup),
        ]
        only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), "")
        for name, run in sections:
            if only and name not in only.split(","):
                continue
            print(f"running {name}...", file=sys.stderr, flush=True)
            rows.extend(run())
    finally:
        smtp.stop()
        dc.cleanup()
        if pg is not None:
            pg.stop()
    print(f"\nmailbot benchmarks on {'PostgreSQL' if pg else 'SQLite'} ({os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, {'quick' if quick else 'full'} run)\n")
    print("| figure | mailbot | baseline (same run) | ratio | goal |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
