"""A real Consentry server on a real socket, in a thread of the test process."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from consentry.app import create_app
from consentry.config import Config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_config(database_url: str, **overrides: object) -> Config:
    """The configuration a test server runs with: dev mode, a fixed secret key."""
    values: dict[str, object] = {"database_url": database_url, "env": "dev", "secret_key": "x" * 40}
    values.update(overrides)
    return Config(**values)  # type: ignore[arg-type]


@contextmanager
def running_server(config: Config) -> Iterator[str]:
    """Serve `config` on a free port; yields the base URL and stops the server after."""
    port = free_port()
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()
