"""`hunch serve`: decisions over HTTP, and a page for people who will never write YAML."""

from __future__ import annotations

import ipaddress
from typing import Any

import click

from hunch.errors import EXIT_BAD_INPUT, Reported
from hunch.limits import DEFAULT_MAX_FIRINGS, MAX_FILE_BYTES
from hunch.version import DISTRIBUTION

MISSING = f"hunch serve needs its extra: pip install '{DISTRIBUTION}[serve]'"
HTTP = "hunch.serve.protocol:HeaderLimitProtocol"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("packs", nargs=-1, metavar="[PACK]...")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--token", envvar="HUNCH_SERVE_TOKEN", default="",
              help="Require 'Authorization: Bearer TOKEN' on the API (or set "
                   "HUNCH_SERVE_TOKEN, which other users cannot see in ps).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (the engine holds the GIL: one per core).")
@click.option("--decision-log", type=click.Path(dir_okay=False), default=None,
              help="Append one JSON line per decision to this file.")
@click.option("--mask", multiple=True, metavar="FACT",
              help="Leave this fact out of the decision log; repeat for several.")
@click.option("--watch", is_flag=True,
              help="Reload a pack when its files change, if it checks and passes its tests.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Allow pages from this origin to call the API (CORS); repeat for several.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_FILE_BYTES,
              show_default=True,
              help="Refuse request bodies larger than this.")
@click.option("--max-batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most situations in one batch request.")
@click.option("--max-firings", type=click.IntRange(min=1), default=DEFAULT_MAX_FIRINGS,
              show_default=True, help="Stop a situation after this many rule firings.")
@click.option("--time-budget", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              metavar="SECONDS",
              help="Most time one request may take, waiting included (then 503).")
@click.option("--max-queue", type=click.IntRange(min=0), default=16, show_default=True,
              help="Requests that may wait for the engine; more get 503 with Retry-After.")
@click.option("--allow-host", "hosts", multiple=True, metavar="NAME",
              help="Accept this Host name too (besides 127.0.0.1, localhost, [::1]; "
                   "checked unless --token is set); repeat for several.")
@click.option("--keep-alive", type=click.IntRange(min=1), default=5, show_default=True,
              metavar="SECONDS",
              help="Close a connection idle this long, or whose request headers take "
                   "longer than this to arrive.")
def serve(packs: tuple[str, ...], host: str, port: int, token: str, workers: int,
          decision_log: str | None, mask: tuple[str, ...], watch: bool, cors: tuple[str, ...],
          max_bytes: int, max_batch: int, max_firings: int, time_budget: float,
          max_queue: int, hosts: tuple[str, ...], keep_alive: int) -> None:
    """Serve decisions over HTTP (the v1 API) and the web page at /.

    Each PACK is a pack folder or a built-in pack name; with none, every built-in
    pack is served. Every pack is loaded and checked before the server starts.
    The API is described in docs/serve.md and at /openapi.json.

    \b
    Examples:
      hunch serve
      hunch serve rules/interview-silence --port 8080 --watch
      HUNCH_SERVE_TOKEN=s3cret hunch serve --host 0.0.0.0 --workers 2
      curl -s localhost:8000/v1/decisions/interview-silence \\
           -H 'Content-Type: application/json' \\
           -d '{"input": {"days_since_interview": 23}}'
    """
    try:
        import uvicorn

        import hunch.serve.app  # noqa: F401 - fails here, not in a worker, without the extra
    except ImportError:
        raise click.ClickException(MISSING) from None

    if not is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} is reachable from other machines: give --token "
                               f"(or HUNCH_SERVE_TOKEN), or keep the default 127.0.0.1")
    names = _checked(packs)
    for fact in mask:
        if not any(fact in served.pack.facts for served in names.values()):
            raise click.BadParameter(f"{fact!r} is not an input fact of any served pack",
                                     param_hint="--mask")
    if decision_log:
        _writable(decision_log)
    config = {"packs": [s.path for s in names.values()], "token": token,
              "max_bytes": max_bytes, "max_batch": max_batch,
              "max_firings": max_firings, "decision_log": decision_log or "",
              "mask": list(mask), "watch": watch, "cors": list(cors), "hosts": list(hosts),
              "time_budget": time_budget, "max_queue": max_queue}
    _run(uvicorn, config, host, port, workers, keep_alive)


def _checked(packs: tuple[str, ...]) -> dict[str, Any]:
    """Load every pack now, so a bad one fails with the CLI's one-line error, exit 2."""
    from hunch.serve.packs import Registry

    registry = Registry(list(packs))
    registry.load_all()
    if not registry.ready:
        click.echo(registry.failed, err=True)
        raise Reported(EXIT_BAD_INPUT)
    if len(registry.packs) != len(registry.names):
        raise click.UsageError("two of the packs have the same name; serve them separately")
    return dict(registry.packs)


def _writable(path: str) -> None:
    """Fail now, on one line, rather than in every worker as it starts."""
    import os

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path}: {exc.strerror or exc}",
                                 param_hint="--decision-log") from None


def _run(uvicorn: object, config: dict[str, object], host: str, port: int,
         workers: int, keep_alive: int) -> None:
    import json
    import os
    import tempfile

    os.environ["HUNCH_SERVE_CONFIG"] = json.dumps(config)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # every worker writes its metrics here; /metrics adds them up (docs/serve.md)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hunch-metrics-")
    click.echo(f"hunch serve: http://{host}:{port}/ ({workers} worker"
               f"{'s' if workers > 1 else ''}; Ctrl-C stops)", err=True)
    uvicorn.run("hunch.serve.app:from_environment", factory=True,  # type: ignore[attr-defined]
                host=host, port=port, workers=workers, log_level="warning",
                server_header=False, access_log=False, http=HTTP,
                # idle keep-alive connections close after this; so do connections whose
                # request headers trickle in for longer, or grow past 16 KiB (431):
                # hunch/serve/protocol.py
                timeout_keep_alive=keep_alive)
