"""`hunch serve` in a process of its own, for the tests that need a real server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def hunch_serve(*args: str, loaded: bool = False) -> Iterator[int]:
    """`hunch serve ARGS` on a free loopback port, yielding the port once it accepts
    connections, or with ``loaded`` once /health answers 200 (its packs loaded: until
    then it says 503 "loading"); stopped at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", *args, "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if loaded:  # a 503 is an HTTPError, an OSError like a refused connection
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).close()
                else:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(30)
