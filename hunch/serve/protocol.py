"""uvicorn's h11 protocol with a deadline on request headers (docs/serve.md, "Limits").

uvicorn closes a keep-alive connection that stays idle for ``timeout_keep_alive``
seconds after a response, but it has no deadline before the first request and
restarts that timer at every byte received, so a client that never sends a request,
or sends its headers one byte every few seconds, holds its connection for ever.
Here the same number of seconds is a deadline for a whole request head, counted
from when the connection opened or the last response ended, and not moved by the
bytes that trickle in. Once the head has arrived the request is the service's to
bound (body size, time budget).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutH11Protocol(H11Protocol):
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self._in_request():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self._in_request():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _in_request(self) -> bool:
        cycle: Any = self.cycle
        return cycle is not None and not cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.timeout_keep_alive, self._expire)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expire(self) -> None:
        self._head_timer = None
        if self._in_request() or self.transport.is_closing():
            return
        try:
            self.conn.send(h11.ConnectionClosed())
        except h11.LocalProtocolError:  # the head was half-read: nothing to say to it
            pass
        self.transport.close()


__all__ = ["HeaderTimeoutH11Protocol"]
