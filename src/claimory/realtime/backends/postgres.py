"""PostgreSQL LISTEN/NOTIFY doorbell: cross-process fan-out with no service beyond the database."""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection
from psycopg import sql

from claimory.realtime.backends import Ring, doorbell_decode, doorbell_encode, listen_forever

logger = logging.getLogger(__name__)


def _conninfo() -> dict:
    params = settings.DATABASES["default"]
    info = {
        "dbname": params["NAME"],
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options"):
        if key in params.get("OPTIONS", {}):
            info[key] = params["OPTIONS"][key]
    return {k: v for k, v in info.items() if v is not None}


class PostgresBackend:
    name = "postgres"

    def __init__(self, prefix: str):
        # NOTIFY channels are identifiers: lower case, at most 63 bytes.
        self.channel = f"{prefix}_claim_events".lower()[:63]

    def publish(self, claim_id: int, seq: int) -> None:
        # Runs after commit (autocommit), so the NOTIFY is delivered at once.
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)",
                               [self.channel, doorbell_encode(claim_id, seq)])
        except DatabaseError as exc:
            logger.warning("pg_notify failed (%s); other processes catch up by polling", exc)

    async def listen(self, ring: Ring) -> None:
        await listen_forever("PostgreSQL", lambda connected: self._consume(ring, connected))

    async def _consume(self, ring: Ring, connected: Callable[[], None]) -> None:
        conn = await psycopg.AsyncConnection.connect(**_conninfo(), autocommit=True,
                                                     connect_timeout=5)
        async with conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            connected()
            async for notify in conn.notifies():
                parsed = doorbell_decode(notify.payload)
                if parsed is not None:
                    ring(*parsed)
