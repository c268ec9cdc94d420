"""Which database a test's store lives in: SQLite in the test's folder, or a fresh database
on the session's PostgreSQL server. A module opts in to both with
``pytestmark = pytest.mark.usefixtures("database")``; the rest run on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine

from mailbot.adapters.engine import MIGRATIONS, connect, upgrade
from tests.rig.postgres import PostgresServer

_server: PostgresServer | None = None
_made: list[str] = []
_engines: list[Engine] = []


def use(server: PostgresServer | None) -> None:
    global _server
    _server = server


def dialect() -> str:
    return "postgresql" if _server else "sqlite"


def url(folder: Path, name: str = "db.sqlite", *, migrated: bool = True) -> str:
    """A new database for this test: on PostgreSQL a copy of the migrated template, or an
    empty one; on SQLite a file in the test's folder, migrated by whoever opens it."""
    if _server is None:
        return f"sqlite:///{folder / name}"
    made = _server.fresh(migrated=migrated)
    _made.append(made)
    return made


def engine(folder: Path, *, migrated: bool = True) -> Engine:
    """A new database's engine, closed when the test ends."""
    made = connect(url(folder, migrated=migrated))
    if migrated:
        upgrade(made)
    _engines.append(made)
    return made


def track(engine: Engine) -> Engine:
    """Close ``engine`` when the test ends, before its database is dropped."""
    _engines.append(engine)
    return engine


def url_of(engine: Engine) -> str:
    """What a config file names to reach the same database."""
    return engine.url.render_as_string(hide_password=False)


def clean_up() -> None:
    while _engines:
        _engines.pop().dispose()
    while _made:
        if _server is not None:
            _server.drop(_made.pop())
        else:
            _made.clear()


@contextmanager
def migrated(engine: Engine, revision: str, *, down: bool = False) -> Iterator[Connection]:
    """The database as the migrations up (or ``down``) to ``revision`` leave it, in a
    transaction the test goes on in: to put in rows as an older release wrote them."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
        yield conn
