"""The Host check against DNS rebinding (docs/security.md, "Who can do what").

Starlette's ``TrustedHostMiddleware`` decides which Host names are answered; only
its refusal is replaced, so that it has the service's JSON error shape (400
``invalid_host``) like every other error, on every route (the page and /static too),
before any of them runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HostCheck:
    """ASGI middleware: the request goes on if Starlette's check lets it through;
    otherwise ``refusal()`` answers it instead of Starlette's plain text."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str],
                 refusal: Callable[[], Response]) -> None:
        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan (and websockets, which the service has none of)
            await self.check(self.app)(scope, receive, send)
            return
        let_in = False

        async def through(scope: Scope, receive: Receive, _: Send) -> None:
            nonlocal let_in
            let_in = True
            await self.app(scope, receive, send)

        async def drop(message: Message) -> None:
            """Starlette's own refusal: replaced by ours below."""

        # one check per request (it is a list of names): nothing shared between requests
        await self.check(through)(scope, receive, drop)
        if not let_in:
            await self.refusal()(scope, receive, send)

    def check(self, app: ASGIApp) -> TrustedHostMiddleware:
        return TrustedHostMiddleware(app, allowed_hosts=self.allowed_hosts, www_redirect=False)


__all__ = ["HostCheck"]
