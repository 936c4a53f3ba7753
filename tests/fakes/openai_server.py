"""A tiny OpenAI-compatible chat server for tests (http.server in a thread, 127.0.0.1, free port).

It answers `POST /v1/chat/completions` (streaming SSE and plain JSON) and `GET /v1/models`
like vLLM or llama.cpp's server would, and can be switched at run time into the faults a
real server has:

- "normal":  a grounded reply: the line of source [1] of the assistant's prompt that names the
             question's region (else its first sentence), with the citation, e.g.
             "Data Scientist / Salary range: US: $100,000 – $200,000 [1]"
- "slow":    waits `slow_s` seconds before answering (set it past CAREER_LLM_TIMEOUT_S)
- "garbage": HTTP 200 whose body is not JSON (and, when streaming, SSE events that are not JSON)
- "error":   HTTP 500 with an error body
- "reject":  HTTP 401 whose body echoes the API key it was sent, as careless servers do
- "down":    the port is closed (connection refused); any other mode opens it again, same port

`reply` can replace the normal reply (a function of the request's messages), e.g. a model that
obeys whatever instructions its sources contain.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("normal", "slow", "garbage", "error", "reject", "down")
_SOURCE = re.compile(r"^\[(\d+)\]\s*(.*)$")
_REGION = {
    "US": re.compile(r"\b(US|USA|U\.S\.|United States|America)\b"),
    "UK": re.compile(r"\b(UK|U\.K\.|United Kingdom|Britain)\b"),
    "Global": re.compile(r"\b(global|Berlin|Toronto|Singapore|Europe)\b", re.I),
}


@dataclass
class Received:
    """One request the server received."""

    path: str
    stream: bool
    authorization: str
    messages: list[dict] = field(default_factory=list)


class FakeOpenAIServer:
    """Start with `start()` (or as a context manager); `url` is the base URL (…/v1)."""

    def __init__(self, mode: str = "normal", *, slow_s: float = 30.0, token_delay_s: float = 0.0,
                 model: str = "fake-model") -> None:
        self.slow_s = slow_s
        self.token_delay_s = token_delay_s
        self.model = model
        self.reply: Callable[[list[dict]], str] | None = None
        self.received: list[Received] = []
        self.active = 0
        self.max_active = 0
        self.completed = 0
        self._mode = "normal"
        self._lock = threading.Lock()
        self._wake = threading.Event()  # set to cut a slow reply short
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = _free_port()
        self._initial_mode = mode

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def mode(self) -> str:
        return self._mode

    def start(self) -> FakeOpenAIServer:
        self.set_mode(self._initial_mode)
        return self

    def set_mode(self, mode: str) -> None:
        """Switch behaviour now; "down" closes the port, anything else (re)opens it."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {MODES}")
        previous, self._mode = self._mode, mode
        if mode != "slow":
            self._wake.set()  # a request still sleeping in "slow" answers now
        else:
            self._wake.clear()
        if mode == "down":
            self._close()
        elif previous == "down" or self._httpd is None:
            self._listen()

    def stop(self) -> None:
        self._wake.set()
        self._close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def chat_requests(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.endswith("/chat/completions")]

    # ------------------------------------------------------------------ replies

    def reply_for(self, messages: list[dict]) -> str:
        if self.reply is not None:
            return self.reply(messages)
        return grounded_reply(messages)

    # ------------------------------------------------------------------ internals

    def _listen(self) -> None:
        if self._httpd is not None:
            return
        handler = _make_handler(self)
        deadline = time.monotonic() + 10
        while True:
            try:
                httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
                break
            except OSError:  # the closed socket may linger for a moment
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-openai-{self.port}", daemon=True)
        self._thread.start()

    def _close(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def grounded_reply(messages: list[dict]) -> str:
    """What a well-behaved model says: a line of source [1], cited."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    text = _content(user) if user else ""
    question = text.rsplit("Question:", 1)[-1] if "Question:" in text else text
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _SOURCE.match(line.strip())
        if not match:
            continue
        number, citation = match.groups()
        body = []
        for below in lines[i + 1:]:
            if _SOURCE.match(below.strip()) or below.startswith("Question:"):
                break
            if below.strip():
                body.append(below.strip().lstrip("-* ").strip())
        if not body:
            continue
        chosen = body[0]
        for region, pattern in _REGION.items():
            if pattern.search(question):
                chosen = next((b for b in body if b.startswith(f"{region}")), chosen)
                break
        chosen = re.split(r"(?<=[.!?])\s", chosen, maxsplit=1)[0]
        title = citation.rsplit(" / ", 1)[0].strip()  # the heading path without its section
        return f"{title}: {chosen} [{number}]"
    return "I could not find this in the guide."


def _content(message: dict) -> str:
    content = message.get("content", "")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: "down" really refuses

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

        def do_GET(self) -> None:  # noqa: N802
            self._record(stream=False, messages=[])
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            stream = bool(body.get("stream"))
            messages = body.get("messages") or []
            self._record(stream=stream, messages=messages)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            with server._lock:
                server.active += 1
                server.max_active = max(server.max_active, server.active)
            try:
                self._answer(stream, messages)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out): what a real server sees too
            finally:
                with server._lock:
                    server.active -= 1
                    server.completed += 1

        # -------------------------------------------------------------- modes

        def _answer(self, stream: bool, messages: list[dict]) -> None:
            mode = server.mode
            if mode == "slow":
                server._wake.wait(server.slow_s)
            if mode == "garbage":
                if stream:
                    self._start(200, "text/event-stream")
                    self.wfile.write(b"data: {this is not json\n\ndata: <html>oops</html>\n\n")
                else:
                    self._start(200, "application/json")
                    self.wfile.write(b"<html><body>502 Bad Gateway</body></html>{")
                return
            if mode == "error":
                self._json(500, {"error": {"message": "internal server error", "type": "server_error"}})
                return
            if mode == "reject":
                key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                self._json(401, {"error": {"message": f"Incorrect API key provided: {key}",
                                           "type": "invalid_request_error", "code": "invalid_api_key"}})
                return
            text = server.reply_for(messages)
            created = int(time.time())
            if not stream:
                self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": created,
                    "model": server.model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split()),
                              "total_tokens": 10 + len(text.split())},
                })
                return
            self._start(200, "text/event-stream")
            pieces = re.findall(r"\S+\s*", text) or [""]
            for n, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
                self._event({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                             "model": server.model,
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                if server.token_delay_s:
                    time.sleep(server.token_delay_s)
            self._event({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                         "model": server.model,
                         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        # -------------------------------------------------------------- helpers

        def _record(self, *, stream: bool, messages: list[dict]) -> None:
            with server._lock:
                server.received.append(Received(self.path, stream, self.headers.get("Authorization", ""),
                                                messages))

        def _start(self, status: int, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _event(self, payload: dict) -> None:
            self.wfile.write(b"data: " + json.dumps(payload).encode("utf-8") + b"\n\n")
            self.wfile.flush()

    return Handler


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    return _free_port()
