"""The real postman with something made to happen in the middle of a fan-out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mailbot.core.ports import AfterSend, OutboxRow, Postman
from mailbot.errors import SendError


class AtOutcome:
    """The real postman; ``then`` runs the moment SMTP has given its ``k``-th outcome, before
    that outcome is recorded: the process dies there, or the database is taken away."""

    def __init__(self, postman: Postman, k: int, then: Callable[[OutboxRow], None]) -> None:
        self.postman, self.k, self.then, self.told = postman, k, then, 0

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None
                   ) -> list[SendError | None]:
        assert after is not None

        async def record(row: OutboxRow, error: SendError | None) -> None:
            self.told += 1
            if self.told == self.k:
                self.then(row)
            await after(row, error)

        return await self.postman.send(rows, record)
