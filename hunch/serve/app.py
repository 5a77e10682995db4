"""The service: the v1 API, health, metrics, the page, on Starlette.

Evaluation runs in one thread beside the event loop (hunch/serve/limits.py), so
/health and /metrics answer while a batch is evaluated; the requests that need the
engine wait for that thread, a bounded number of them, each within a time budget.
Scale with ``--workers N`` (processes) or more instances: nothing is kept between
requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hmac
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NamedTuple

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hunch.errors import TOO_DEEP, HunchError, internal_error
from hunch.pack.yamlsource import MAX_FILE_BYTES
from hunch.serve import decisions
from hunch.serve.limits import Deadline, Evaluator
from hunch.serve.metrics import CONTENT_TYPE, Metrics
from hunch.serve.packs import Registry, Served
from hunch.serve.problems import (
    AS_OF_WORDS,
    BODY,
    JSON_TYPES,
    YAML_TYPES,
    ApiError,
    bad_input,
    json_object,
    media_type,
    request_as_of,
    situation,
    yaml_situation,
)

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
# the page loads nothing from anywhere else, and no other site may frame it
# the Host names (any port) that mean this machine; others are refused without a token
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                           "frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class Config(NamedTuple):
    """Everything `hunch serve` passes to each worker (JSON-able, so it crosses processes)."""

    packs: tuple[str, ...] = ()
    token: str = ""
    max_bytes: int = MAX_FILE_BYTES
    max_batch: int = 100  # 2.4 s with explain=full on a quiet machine, 7.6 s on a busy one
    max_firings: int = 0  # 0: the engine's default, as in the CLI
    decision_log: str = ""
    mask: tuple[str, ...] = ()
    watch: bool = False
    cors: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # Host names accepted besides loopback's (--allow-host)
    time_budget: float = 10.0  # seconds one request may take (--time-budget)
    max_queue: int = 16  # requests that may wait for the engine (--max-queue)


class Service:
    """The state one worker holds: packs, metrics, the decision log."""

    def __init__(self, config: Config, registry: Registry | None = None) -> None:
        from hunch.serve.log import DecisionLog

        self.config = config
        self.registry = registry or Registry(list(config.packs))
        self.metrics = Metrics()
        self.log = DecisionLog(config.decision_log) if config.decision_log else None
        self.masked = frozenset(config.mask)
        self.evaluator = Evaluator(config.time_budget, config.max_queue)
        self.watcher: asyncio.Task[None] | None = None

    # --- the parts every request shares ----------------------------------------------

    def require_ready(self) -> None:
        if not self.registry.ready:
            raise ApiError(503, "loading", self.registry.failed or "the packs are still loading")

    def served(self, name: str) -> Served:
        self.require_ready()
        served = self.registry.get(name)
        if served is None:
            from hunch.errors import did_you_mean

            known = sorted(self.registry.packs)
            hint = did_you_mean(name, known) or f"served packs: {', '.join(known)}"
            raise ApiError(404, "unknown_pack", f"{name}: no such rule pack ({hint})")
        return served

    def authorize(self, request: Request) -> None:
        if not self.config.token:
            return
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                 self.config.token.encode()):
            raise ApiError(401, "unauthorized", "missing or wrong bearer token (send the "
                                                "header 'Authorization: Bearer TOKEN')")

    async def body(self, request: Request, types: tuple[str, ...] = JSON_TYPES) -> bytes:
        kind = media_type(request.headers.get("content-type", ""))
        if kind not in types:
            raise ApiError(415, "unsupported_media_type",
                           f"content type {kind or '(none)'} is not accepted here; send "
                           f"{' or '.join(types)}")
        limit = self.config.max_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self.too_large()
        chunks, size = [], 0
        budget = self.config.time_budget
        try:
            # a body trickled a byte at a time would hold its connection, and its
            # share of the open files, for ever: it gets the request's time budget
            async with asyncio.timeout(budget):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise self.too_large()
                    chunks.append(chunk)
        except TimeoutError:
            error = ApiError(408, "body_too_slow",
                             f"the body did not arrive within {budget:g} s, the time budget "
                             f"of one request (send it at once, or raise hunch serve "
                             f"--time-budget)")
            error.headers["Connection"] = "close"  # the rest of it is never read
            raise error from None
        return b"".join(chunks)

    def too_large(self) -> ApiError:
        limit = self.config.max_bytes
        return ApiError(413, "too_large", f"the body is over the {limit:,}-byte limit "
                                          f"(raise it with hunch serve --max-bytes)")

    async def evaluate(self, work: Callable[[Deadline], Any]) -> Any:
        """``work`` in the evaluating thread, within this request's time budget."""
        def started(deadline: Deadline) -> Any:
            deadline.started()
            out = work(deadline)
            # a big answer is encoded here too, not on the event loop
            return out if isinstance(out, Response) else json_response(out)

        return await self.evaluator.run(started)

    def record(self, served: Served, decision: decisions.Decision) -> None:
        """Log the decision; a decision that cannot be logged is not given (503)."""
        if self.log is not None:
            when = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
            try:
                self.log.write(decisions.log_entry(decision, served, self.masked, when))
            except OSError as exc:
                import logging

                logging.getLogger("hunch.serve").error("decision log %s: %s", self.log.path,
                                                       exc.strerror or exc)
                raise ApiError(503, "decision_log_unwritable",
                               f"the decision log cannot be written ({exc.strerror or exc}): "
                               f"the decision was not given; try again when the server's "
                               f"disk has room") from None
        self.metrics.evaluations.labels(served.name).inc()


Handler = Callable[[Service, Request], Awaitable[Any]]


def json_text(data: Any) -> str:
    """JSON whose UTF-8 encoding cannot fail: a lone surrogate (a JSON key may hold one)
    is kept as an escape, as are the characters a terminal would act on."""
    import json

    from hunch.errors import json_safe

    return json_safe(json.dumps(data, ensure_ascii=False))


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_text(data).encode(), status, media_type="application/json")


# the methods /metrics names; any other token a client sends counts as "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def endpoint(service: Service, name: str, handler: Handler,
             auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """A route: token check, errors in the one shape (never a traceback), metrics."""
    metrics = service.metrics

    async def run(request: Request) -> Response:
        start = time.perf_counter()
        try:
            if auth:
                service.authorize(request)
            out = await handler(service, request)
            response = out if isinstance(out, Response) else json_response(out)
        except ApiError as exc:
            response = error_response(service, exc)
        except HunchError as exc:  # e.g. the firing limit
            response = error_response(service, bad_input(exc))
        except RecursionError:
            response = error_response(service, too_deep())
        except Exception as exc:  # noqa: BLE001 - a bug: internal() logs its traceback
            response = error_response(service, internal(exc, name))
        metrics.requests.labels(method_label(request.method), name,
                                str(response.status_code)).inc()
        metrics.latency.labels(name).observe(time.perf_counter() - start)
        return response

    return run


def too_deep() -> ApiError:
    return ApiError(400, "bad_input", TOO_DEEP)


def internal(exc: BaseException, where: str) -> ApiError:
    """A bug in hunch: one line for the client, the traceback in the server's log."""
    import logging

    logging.getLogger("hunch.serve").error("internal error in %s", where, exc_info=exc)
    return ApiError(500, "internal", internal_error(exc, "the server log has the details"))


def host_refused() -> ApiError:
    """A request whose Host names another machine (hunch/serve/hosts.py)."""
    return ApiError(400, "invalid_host", "the Host header names no host this server answers "
                                         "to (use 127.0.0.1, localhost or [::1], or start it "
                                         "with --allow-host NAME)")


def error_response(service: Service, exc: ApiError) -> Response:
    service.metrics.errors.labels(exc.code).inc()
    response = json_response(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    response.headers.update(exc.headers)
    return response


# --- the API -------------------------------------------------------------------------------

async def decide(service: Service, request: Request) -> Any:
    served = service.served(request.path_params["pack"])
    modes = query_modes(request)
    raw = await service.body(request, JSON_TYPES + YAML_TYPES)
    as_yaml = media_type(request.headers.get("content-type", "")) in YAML_TYPES

    def work(deadline: Deadline) -> Any:
        if as_yaml:
            sit, given = yaml_situation(served.pack, raw)
        else:
            data = json_object(raw, {"input": "an object of facts", "as_of": AS_OF_WORDS})
            if "input" not in data:
                raise bad_input(HunchError('the body needs "input", an object of facts', BODY,
                                           hint='e.g. {"input": {"days_since_interview": 23}}'))
            sit = situation(served.pack, data["input"], "/input", data.get("as_of"))
            given = data["input"]
        explain, unknowns, next_ = modes
        decision = decisions.decide(served, sit, given, explain, service.config.max_firings,
                                    unknowns, next_)
        service.record(served, decision)
        return decision.body

    return await service.evaluate(work)


async def decide_batch(service: Service, request: Request) -> Any:
    served = service.served(request.path_params["pack"])
    modes = query_modes(request)
    raw = await service.body(request)

    def work(deadline: Deadline) -> Any:
        data = json_object(raw, {"inputs": "a list of objects of facts", "as_of": AS_OF_WORDS})
        request_as_of(data.get("as_of"))  # a bad as_of is the request's error, items or not
        items = data.get("inputs")
        if not isinstance(items, list):
            raise bad_input(HunchError('the body needs "inputs", a list of objects of facts',
                                       "/inputs" if "inputs" in data else BODY))
        if len(items) > service.config.max_batch:
            raise ApiError(413, "too_large", f"{len(items):,} situations in one batch, over "
                                             f"the limit of {service.config.max_batch:,} "
                                             f"(raise it with hunch serve --max-batch)")
        # each result encoded as it is made: one json.dumps of the whole answer (80 MB
        # for 1,000 items with explain=full) would hold the GIL, and the loop, for seconds
        results = []
        for n, given in enumerate(items):
            deadline.between(n, len(items))
            results.append(json_text(_item(service, served, given, f"/inputs/{n}", modes,
                                           data.get("as_of"))))
        head = json_text({"pack": served.name, "revision": served.revision, "results": []})
        # head ends with "[]}": the results go between the brackets
        return Response(f"{head[:-2]}{', '.join(results)}]}}".encode(),
                        media_type="application/json")

    return await service.evaluate(work)


def query_modes(request: Request) -> tuple[str, str, str]:
    """A decision's ?explain=, ?unknowns= and ?next=, checked (400 on a bad value)."""
    query = request.query_params
    return (decisions.explain_mode(query.get("explain")),
            decisions.unknowns_mode(query.get("unknowns")),
            decisions.next_mode(query.get("next")))


def _item(service: Service, served: Served, given: Any, at: str,
          modes: tuple[str, str, str], as_of: Any = None) -> Any:
    """One situation of a batch: its decision, or its error in its place (it loses only
    itself, whatever went wrong with it)."""
    try:
        explain, unknowns, next_ = modes
        decision = decisions.decide(served, situation(served.pack, given, at, as_of), given,
                                    explain, service.config.max_firings, unknowns, next_)
        service.record(served, decision)
        return decision.body
    except ApiError as exc:
        error = exc
    except HunchError as exc:
        error = bad_input(exc)
    except RecursionError:
        error = too_deep()
    except Exception as exc:  # noqa: BLE001 - a bug loses only its item; internal() logs it
        error = internal(exc, "batch")
    service.metrics.errors.labels(error.code).inc()
    return {"situation": at, "error": error.body()}


async def what_if(service: Service, request: Request) -> Any:
    served = service.served(request.path_params["pack"])
    raw = await service.body(request)

    def work(deadline: Deadline) -> Any:
        data = json_object(raw, {
            "input": "an object of facts",
            "set": "an object of facts, dates or logs and new values",
            "add": "an object of logs and the entries to add",
            "flip": "true to list the smallest changes that change the advice",
            "as_of": AS_OF_WORDS})
        sit = situation(served.pack, data.get("input", {}), "/input", data.get("as_of"))
        flip = data.get("flip", False)
        if not isinstance(flip, bool):
            raise bad_input(HunchError("flip must be true or false", "/flip"))
        sets = decisions.changes(served.pack, data.get("set", {}), data.get("add", {}))
        return decisions.what_if(served, sit, sets, flip, service.config.max_firings)

    return await service.evaluate(work)


async def explain(service: Service, request: Request) -> Any:
    served = service.served(request.path_params["pack"])
    raw = await service.body(request)
    target = request.path_params["conclusion"]

    def work(deadline: Deadline) -> Any:
        data = json_object(raw, {"input": "an object of facts", "as_of": AS_OF_WORDS})
        sit = situation(served.pack, data.get("input", {}), "/input", data.get("as_of"))
        return decisions.explanation(served, sit, target, service.config.max_firings)

    return await service.evaluate(work)


async def next_question(service: Service, request: Request) -> Any:
    """The next question of a consultation, as `hunch ask` would ask it (the page)."""
    from hunch.consult.ask import without_required

    served = service.served(request.path_params["pack"])
    raw = await service.body(request)

    def work(deadline: Deadline) -> Any:
        data = json_object(raw, {"input": "an object of facts (null: I don't know)",
                                 "as_of": AS_OF_WORDS})
        given = data.get("input", {})
        # mid-way, a required fact may still be missing: it is the question asked next
        sit = situation(without_required(served.pack), given, "/input", data.get("as_of"))
        return decisions.next_question(served, given, sit)

    return await service.evaluate(work)


async def packs(service: Service, request: Request) -> Any:
    from hunch.serve.describe import summary

    service.require_ready()
    return {"packs": [summary(s) for s in service.registry.packs.values()]}


async def pack(service: Service, request: Request) -> Any:
    from hunch.serve.describe import describe

    return describe(service.served(request.path_params["pack"]))


async def schema(service: Service, request: Request) -> Any:
    from hunch.pack.jsonschema import situation_schema

    return situation_schema(service.served(request.path_params["pack"]).pack)


async def status(service: Service, request: Request) -> Any:
    registry = service.registry
    return {"ready": registry.ready, "failed": registry.failed or None,
            "watch": service.config.watch,
            "packs": {name: {"revision": s.revision, "path": s.path,
                             "resolved": s.resolved,
                             "loaded_at": _iso(s.loaded_at), **_status(registry, name)}
                      for name, s in registry.packs.items()}}


def _status(registry: Registry, name: str) -> dict[str, Any]:
    st = registry.status.get(name)
    if st is None:
        return {}
    return {"state": st.state, "state_since": _iso(st.at), "errors": st.errors}


def _iso(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp, datetime.UTC).isoformat(
        timespec="seconds")


async def health(service: Service, request: Request) -> Any:
    registry = service.registry
    if registry.ready:
        return {"status": "ok", "packs": {n: s.revision for n, s in registry.packs.items()}}
    state = "failed" if registry.failed else "loading"
    return json_response({"status": state, "message": registry.failed or "loading packs",
                          "loaded": sorted(registry.packs)}, 503)


async def version(service: Service, request: Request) -> Any:
    import platform
    from importlib.metadata import version as installed

    from hunch.version import __version__

    return {"hunch": __version__, "python": platform.python_version(),
            "starlette": installed("starlette"),
            "packs": {n: {"version": s.pack.version, "revision": s.revision}
                      for n, s in service.registry.packs.items()}}


async def metrics(service: Service, request: Request) -> Any:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


async def openapi(service: Service, request: Request) -> Any:
    from hunch.serve.openapi import document

    service.require_ready()
    return document(list(service.registry.packs.values()), bool(service.config.token))


async def page(service: Service, request: Request) -> Any:
    return FileResponse(os.path.join(STATIC, "index.html"), headers=PAGE_HEADERS)


# --- the application -------------------------------------------------------------------------

ROUTES: list[tuple[str, str, Handler, tuple[str, ...], bool]] = [
    # path, metrics name, handler, methods, needs the token. Starlette tries them in this
    # order (no two paths overlap): the decisions first, ~2 µs less per route passed
    ("/v1/decisions/{pack}", "decisions", decide, ("POST",), True),
    ("/v1/decisions/{pack}/batch", "batch", decide_batch, ("POST",), True),
    ("/health", "health", health, ("GET",), False),
    ("/", "page", page, ("GET",), False),
    ("/version", "version", version, ("GET",), False),
    ("/metrics", "metrics", metrics, ("GET",), True),
    ("/openapi.json", "openapi", openapi, ("GET",), True),
    ("/v1/status", "status", status, ("GET",), True),
    ("/v1/packs", "packs", packs, ("GET",), True),
    ("/v1/packs/{pack}", "pack", pack, ("GET",), True),
    ("/v1/packs/{pack}/schema", "schema", schema, ("GET",), True),
    ("/v1/whatif/{pack}", "whatif", what_if, ("POST",), True),
    ("/v1/explain/{pack}/{conclusion}", "explain", explain, ("POST",), True),
    ("/v1/next-question/{pack}", "next_question", next_question, ("POST",), True),
]


def create_app(config: Config, registry: Registry | None = None) -> Starlette:
    """The ASGI application; packs load in the background and /health says when."""
    service = Service(config, registry)
    routes: list[Any] = [Route(path, endpoint(service, name, handler, auth), methods=list(m))
                         for path, name, handler, m, auth in ROUTES]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            error = ApiError(405, "method_not_allowed", f"{request.method} is not allowed on "
                                                        f"{request.url.path}")
        else:
            error = ApiError(exc.status_code, "not_found", f"{request.url.path}: no such "
                                                           f"endpoint (see /openapi.json)")
        error.headers.update(exc.headers or {})  # Allow, on a 405 (RFC 9110)
        service.metrics.requests.labels(method_label(request.method), "unmatched",
                                        str(exc.status_code)).inc()
        return error_response(service, error)

    async def bug(request: Request, exc: Exception) -> Response:
        # what escaped every route's own handling (a middleware's bug): still one JSON line
        return error_response(service, internal(exc, request.url.path))

    app = Starlette(routes=routes, lifespan=_lifespan(service),
                    exception_handlers={HTTPException: not_found, Exception: bug})
    app.state.service = service
    if not config.token or config.hosts:
        # DNS rebinding: a page from another site, its name pointed at 127.0.0.1, is
        # this server's own origin to the browser; only the Host header tells it apart
        from hunch.serve.hosts import HostCheck

        app.add_middleware(HostCheck, allowed_hosts=LOOPBACK + config.hosts,
                           refusal=lambda: error_response(service, host_refused()))
    if config.cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    return app


Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]


def _lifespan(service: Service) -> Lifespan:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loading = None
        if not service.registry.ready:
            # in the background: the port answers (/health says 503) while packs load
            loading = loop.run_in_executor(None, service.registry.load_all)
        if service.config.watch:
            from hunch.serve.watch import watch

            service.watcher = asyncio.create_task(watch(service, loading))
        try:
            yield
        finally:
            if service.watcher is not None:
                service.watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await service.watcher
            if loading is not None:
                await loading
            await asyncio.to_thread(service.evaluator.close)
            if service.log is not None:
                service.log.close()

    return lifespan


def from_environment() -> Starlette:
    """The app a uvicorn worker builds (`hunch serve --workers N`): config in the environment."""
    import json

    from hunch.batch.heap import keep_heap

    keep_heap()  # a `hunch serve` process: malloc set for the engine's sessions
    raw: dict[str, Any] = json.loads(os.environ["HUNCH_SERVE_CONFIG"])
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return create_app(Config(**fields))


__all__ = ["Config", "Service", "create_app", "from_environment"]
