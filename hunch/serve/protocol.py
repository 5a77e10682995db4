"""uvicorn's httptools protocol with a deadline on request heads and a bound on their
size (docs/serve.md, "Limits").

Why httptools and not uvicorn's h11: h11 parses in pure Python, ~0.1 ms of a small
decision's ~0.6 ms over HTTP; httptools is llhttp (Node's parser, in C). What h11
gave by option and this class adds by hand:

- **A deadline on the head.** uvicorn closes a keep-alive connection that stays idle
  for ``timeout_keep_alive`` seconds after a response, but it has no deadline before
  the first request and restarts that timer at every byte received, so a client that
  never sends a request, or sends its headers one byte every few seconds, would hold
  its connection for ever. Here the same number of seconds is a deadline for a whole
  request head, counted from when the connection opened or the last response ended,
  and not moved by the bytes that trickle in. Once the head has arrived the request
  is the service's to bound (body size, time budget).
- **A bound on the head's size** (h11's ``max_incomplete_event_size``): past
  ``MAX_HEAD_BYTES`` of request line and headers the client is answered 431 and the
  connection closed. llhttp has no such limit of its own, and httptools gathers a
  header's value until its line ends, so two counts bound it: the head as the parser
  reports it (request line and header lines, exact to the byte but for optional
  spaces around a value), and the raw bytes of every read that ends inside a head, so
  a header line that never ends is refused too (memory stays under one read, at most
  256 KiB, plus the limit).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from hunch.serve.problems import ApiError

# request line and headers together (h11's option had the same 16 KiB before)
MAX_HEAD_BYTES = 16 * 1024
_REQUEST_LINE = len("  HTTP/1.1\r\n\r\n")  # besides the method and the target; with the blank line
_HEADER_LINE = len(": \r\n")  # besides the name and the value
# the service's error shape (docs/serve.md, "Errors"), answered before any route runs
TOO_LARGE = ApiError(431, "headers_too_large",
                     f"the request line and headers are over the {MAX_HEAD_BYTES:,}-byte "
                     f"limit (send large data in the body)")


class HeadTooLarge(Exception):
    """Raised inside the parser's callbacks: the head went over MAX_HEAD_BYTES."""


class HeaderLimitProtocol(HttpToolsProtocol):
    _head_timer: asyncio.TimerHandle | None = None
    _in_head = False  # a request head has begun and not yet ended
    _head_bytes = 0  # of that head, as the parser reported it
    _raw_bytes = 0  # read since the read in which that head began, while it went on
    _began_here = False  # the head under way began in the read being parsed
    _too_large = False  # the head went over MAX_HEAD_BYTES: answered 431

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """uvicorn's, but for a head over the limit: 431, and no warning in the log.

        The body follows uvicorn's own (the same from 0.31, the floor in pyproject.toml,
        to 0.55) and calls its private upgrade helpers: a uvicorn that changes them breaks
        tests/test_serve_reliability.py, which drives this class over real sockets."""
        self._unset_keepalive_if_required()
        self._began_here = False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if self._too_large:  # raised by _grow inside a callback
                self._refuse()
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        if self._in_head and not self._began_here and not self.transport.is_closing():
            # the whole read went to a head begun before it and still not over (a line
            # that never ends); a read in which a head began may hold a request before it
            self._raw_bytes += len(data)
            if self._raw_bytes > MAX_HEAD_BYTES:
                self._refuse()

    # --- the parser's callbacks -----------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._raw_bytes = True, _REQUEST_LINE, 0
        self._began_here = True

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._grow(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._grow(len(name) + len(value) + _HEADER_LINE)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._grow(len(self.parser.get_method()))
        self._in_head = False
        super().on_headers_complete()
        if self._in_request():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self._in_request():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # --- the two limits -----------------------------------------------------------------

    def _grow(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            self._too_large = True
            raise HeadTooLarge  # the parser stops: data_received answers 431

    def _refuse(self) -> None:
        """431, then close: the rest of the head is never read."""
        body = json.dumps(TOO_LARGE.body()).encode()
        self._in_head, self._too_large = False, True
        self.transport.write(b"".join([
            STATUS_LINE[431], b"content-type: application/json\r\n",
            b"content-length: ", str(len(body)).encode(), b"\r\n",
            b"connection: close\r\n\r\n", body]))
        self.transport.close()

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
        self.transport.close()


__all__ = ["MAX_HEAD_BYTES", "HeaderLimitProtocol"]
