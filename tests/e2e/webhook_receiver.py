"""A real HTTP server that receives webhooks, for tests: it keeps every request it got and
answers with the status its `answer` function picks (200 unless told otherwise). With a
`gate`, each request (or each one `held` picks by its number) is kept on arrival and answered
only once the gate is open: a receiver that hangs (until the sender's timeout, or until the
test lets it go)."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


@dataclass
class Receiver:
    url: str
    answer: Callable[[int], int] = lambda _: 200  # request number (0-based) -> status code
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, in the order they came."""
        with self.lock:
            return [r for r in self.received if r.headers.get("x-answered", "").startswith("2")]

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)


@contextmanager
def receiving(
    answer: Callable[[int], int] | None = None,
    *,
    gate: threading.Event | None = None,
    held: Callable[[int], bool] = lambda _: True,
) -> Iterator[Receiver]:
    receiver = Receiver(url="")
    if answer is not None:
        receiver.answer = answer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                number = len(receiver.received)
                status = receiver.answer(number)
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers["x-answered"] = str(status)
                receiver.received.append(Received(self.path, headers, body))
            if gate is not None and held(number):
                gate.wait()
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # a held request the sender gave up on (its timeout)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if gate is not None:
            gate.set()  # let held requests end, so nothing waits on them
        server.shutdown()
        server.server_close()
