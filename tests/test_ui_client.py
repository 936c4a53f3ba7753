"""The running web app, driven with gradio_client: chat with a follow-up, the quiz, per-session
state, bad input, a missing index, a password, and the real default model's timings.

The app runs as `python ui.py` in a subprocess on a free port, as a user would start it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.settings import OFFLINE_ENV

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
UK_QUESTION = "Why is a Machine Learning Engineer in the UK well paid?"  # an open question: the model path
PLACEHOLDER = '<span class="thinking">Searching the guide…</span>'

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------- running the app


@dataclass
class AppServer:
    """`python ui.py` in a subprocess; `ready_s` is the time from start until the page answered."""

    url: str
    proc: subprocess.Popen
    log: Path
    started: float
    ready_s: float

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def client(self, **kwargs: Any) -> Any:
        from gradio_client import Client

        return Client(self.url, verbose=False, analytics_enabled=False, download_files=False, **kwargs)

    def wait_for_status(self, client: Any, pattern: str, timeout: float) -> tuple[str, float]:
        """Poll /status until it matches `pattern`; returns it and the seconds since start."""
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = client.predict(api_name="/status")[0]
            if re.search(pattern, status):
                return status, time.perf_counter() - self.started
            assert self.proc.poll() is None, f"the app exited:\n{self.log_tail()}"
            time.sleep(0.5)
        raise AssertionError(f"status never matched {pattern!r}; last: {status!r}\n{self.log_tail()}")


def app_env(data_dir: Path, corpus_dir: Path = REPO / "corpus", **settings: str) -> dict[str, str]:
    """This process's environment without CAREER_* settings, offline, fake LLM and keyword
    embeddings unless `settings` say otherwise (keys are CAREER_ names without the prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREER_")}
    env.update(OFFLINE_ENV)
    env.update({"CAREER_DATA_DIR": str(data_dir), "CAREER_CORPUS_DIR": str(corpus_dir),
                "CAREER_LLM_BACKEND": "fake", "CAREER_EMBEDDING_BACKEND": "keyword", "PYTHONUNBUFFERED": "1"})
    env.update({f"CAREER_{k.upper()}": v for k, v in settings.items()})
    return env


def ingest(env: Mapping[str, str], cwd: Path, *paths: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "cli", "ingest", "--quiet", *map(str, paths)],
                         env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr


AUDIT_WRAPPER = """
import runpy, sys
log = open(sys.argv[1], "w", buffering=1)
sys.argv = sys.argv[2:]
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple):
        log.write(repr(args[1][:2]) + "\\n")
sys.addaudithook(hook)
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def start_app(env: Mapping[str, str], cwd: Path, timeout: float = 240,
              audit: Path | None = None) -> AppServer:
    """Start `python ui.py` on a free port and wait until its page is served. With `audit`,
    every network connection the app opens is written to that file."""
    port = free_port()
    env = {**env, "CAREER_PORT": str(port)}
    host = env.get("CAREER_HOST", "127.0.0.1")
    url = f"http://{host}:{port}/"
    log = cwd / f"ui-{port}.log"
    started = time.perf_counter()
    argv = [sys.executable, str(REPO / "ui.py")]
    if audit is not None:
        wrapper = cwd / "audited_ui.py"
        wrapper.write_text(AUDIT_WRAPPER, encoding="utf-8")
        argv = [sys.executable, str(wrapper), str(audit), str(REPO / "ui.py")]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    server = AppServer(url, proc, log, started, 0.0)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ui.py exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with opener.open(url, timeout=2) as response:
                if response.status == 200:
                    server.ready_s = time.perf_counter() - started
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"ui.py did not serve {url} within {timeout} s:\n{server.log_tail()}")


def outside_connections(audit: Path) -> list[str]:
    """The connections in an audit log that went to another machine."""
    lines = audit.read_text(encoding="utf-8").splitlines() if audit.exists() else []
    local = ("'127.", "'::1'", "'localhost'", "'0.0.0.0'")
    return [line for line in lines if not line.startswith("(") or not line[1:].startswith(local)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def last_text(chat: list[dict]) -> str:
    """The text of the last chat message as gradio_client returns it."""
    content = chat[-1]["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def ask(client: Any, question: str) -> tuple[list[tuple[float, str]], tuple]:
    """Submit a question to /ask; returns (seconds, assistant text) per streamed update and the
    final outputs (textbox, chat, sources html, result, status)."""
    started = time.perf_counter()
    job = client.submit(question, api_name="/ask")
    updates = []
    for output in job:
        updates.append((time.perf_counter() - started, last_text(output[1])))
    final = job.outputs()[-1]
    return updates, final


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app with the fake LLM and keyword embeddings over an index of corpus/."""
    home = tmp_path_factory.mktemp("app")
    env = app_env(home / "data")
    ingest(env, home)
    server = start_app(env, home)
    yield server
    server.stop()


# --------------------------------------------------------------------------- chat


def test_chat_streams_a_cited_answer_and_resolves_a_follow_up(app: AppServer) -> None:
    client = app.client()

    updates, final = ask(client, UK_QUESTION)

    assert updates[0][1] == PLACEHOLDER  # the question shows at once
    assert len({text for _, text in updates}) >= 3  # then the answer grows piece by piece
    box, chat, sources_html, result, status = final
    assert box == ""
    assert result["mode"] == "llm" and not result["declined"]
    assert "Machine Learning Engineer" in result["answer"] and "[1]" in result["answer"]
    assert result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
    assert "£60,000 – £130,000" in result["sources"][0]["text"]
    assert '<a class="cite" href="#src-0-1"' in last_text(chat)
    assert 'id="src-0-1"' in sources_html and "£60,000" in sources_html
    assert "Ready" in status

    _, (_, chat, sources_html, result, _) = ask(client, "And in the US?")

    assert "Machine Learning Engineer" in result["query"]  # the follow-up used the conversation
    assert result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
    assert "$120,000 – $250,000+" in result["sources"][0]["text"]
    assert len(chat) == 4
    assert 'id="src-1-1"' in sources_html


def test_two_sessions_never_share_a_conversation(app: AppServer) -> None:
    alice, bob = app.client(), app.client()

    ask(alice, UK_QUESTION)
    _, (_, bob_chat, _, bob_result, _) = ask(bob, "And in the US?")

    assert len(bob_chat) == 2  # Bob sees only his own question and answer
    assert "Machine Learning Engineer" not in (bob_result or {}).get("query", "")
    _, (_, alice_chat, _, _, _) = ask(alice, "And in the US?")
    assert len(alice_chat) == 4


def test_out_of_scope_question_is_declined_with_what_the_guide_covers(app: AppServer) -> None:
    _, (_, chat, _, result, _) = ask(app.client(), "What is the capital of France?")
    assert result["declined"] and result["sources"] == []
    assert "AI careers" in last_text(chat) and "Data Scientist" in last_text(chat)


@pytest.mark.parametrize(("question", "expected"), [
    ("", "the question is empty"),
    ("x" * 100_000, "100,000 characters"),
    ("\x00\x07\x1b", "the question is empty"),
])
def test_bad_input_is_a_message_in_the_chat_and_the_app_carries_on(app: AppServer, question: str,
                                                                    expected: str) -> None:
    client = app.client()
    _, (_, chat, _, result, _) = ask(client, question)
    assert result is None
    assert last_text(chat).startswith("⚠") and expected in last_text(chat)
    assert "Traceback" not in last_text(chat)

    _, (_, chat, _, result, _) = ask(client, UK_QUESTION)
    assert result["sources"] and len(chat) == 4


def test_clear_empties_the_conversation(app: AppServer) -> None:
    client = app.client()
    ask(client, UK_QUESTION)
    chat, sources_html, _, _ = client.predict(api_name="/clear")
    assert chat == [] and "Click a citation" in sources_html
    _, (_, chat, _, result, _) = ask(client, "And in the US?")
    assert len(chat) == 2 and "Machine Learning Engineer" not in result["query"]


# --------------------------------------------------------------------------- quiz and compare


def test_quiz_ranks_roles_into_cards_with_salary_for_the_region_and_sources(app: AppServer) -> None:
    out = app.client().predict("Yes", "No", "No", "Software engineer", "Python, Docker", "UK",
                               api_name="/find_path")
    intro, card1, card2, card3, sources_html, data = out

    roles = [r["role"] for r in data["roles"]]
    assert roles[:2] == ["Machine Learning Engineer", "MLOps / AI Infrastructure Engineer"]
    assert data["roles"][0]["salary"] == {"UK": "£60,000 – £130,000"}
    assert any("background (software engineer)" in r for r in data["roles"][0]["reasons"])
    assert 'class="fit-bar"' in card1 and "Machine Learning Engineer" in card1
    assert "£60,000 – £130,000" in card1 and "How to break in" in card1
    assert "MLOps / AI Infrastructure Engineer" in card2 and card3
    sections = {s["section"] for r in data["roles"] for s in r["sources"]}
    assert "Machine Learning Engineer / Salary range" in sections
    assert 'id="src-quiz-1"' in sources_html and "region: UK" in intro


def test_salary_chart_is_an_image_and_compare_shows_both_roles(app: AppServer) -> None:
    client = app.client()
    plot = client.predict(["UK", "US"], ["Machine Learning Engineer", "Data Scientist"],
                          api_name="/salary_chart")
    assert plot["type"] == "matplotlib"
    assert plot["plot"].startswith("data:image/png;base64,")

    html = client.predict("AI Product Manager", "Prompt Engineer / AI Solutions Specialist",
                          api_name="/compare")
    assert "AI Product Manager" in html and "Prompt Engineer / AI Solutions Specialist" in html
    assert "£70,000 – £150,000" in html and "$90,000 – $180,000" in html


def test_status_names_the_model_and_the_index(app: AppServer) -> None:
    status, _ = app.wait_for_status(app.client(), "Ready", timeout=60)
    assert "fake model" in status
    assert re.search(r"index: \d+ passages from 10 guide files", status)


def test_the_page_needs_nothing_from_outside(app: AppServer) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(app.url, timeout=10) as response:
        page = response.read().decode("utf-8")
    external = set(re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page))
    assert not {u for u in external if not u.startswith(app.url)}, external
    with opener.open(app.url + "config", timeout=10) as response:
        config = json.loads(response.read())
    assert config["analytics_enabled"] is False


def test_the_app_opens_no_connection_to_another_machine(tmp_path: Path) -> None:
    env = app_env(tmp_path / "data")
    ingest(env, tmp_path)
    audit = tmp_path / "connections.log"
    server = start_app(env, tmp_path, audit=audit)
    try:
        client = server.client()
        ask(client, UK_QUESTION)
        client.predict("Yes", "No", "No", "Software engineer", "", "UK", api_name="/find_path")
        client.predict(["UK"], ["Data Scientist"], api_name="/salary_chart")
    finally:
        server.stop()
    assert audit.read_text(encoding="utf-8").strip(), "the audit hook recorded nothing"
    assert outside_connections(audit) == []


# --------------------------------------------------------------------------- no index; a password


def test_missing_index_is_explained_and_the_app_recovers_after_ingest(tmp_path: Path) -> None:
    env = app_env(tmp_path / "data")
    server = start_app(env, tmp_path)
    try:
        client = server.client()
        status, _ = server.wait_for_status(client, "No index", timeout=60)
        assert "career-assistant ingest" in status

        _, (_, chat, _, result, _) = ask(client, UK_QUESTION)
        assert result is None
        assert last_text(chat).startswith("⚠") and "career-assistant ingest" in last_text(chat)

        ingest(env, tmp_path)  # while the app keeps running
        _, (_, chat, _, result, status) = ask(client, UK_QUESTION)
        assert result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
        assert "Ready" in status
    finally:
        server.stop()


def test_password_protects_the_app_when_configured(tmp_path: Path) -> None:
    env = app_env(tmp_path / "data", auth_user="maintainer", auth_password="s3cret-pass")
    ingest(env, tmp_path)
    server = start_app(env, tmp_path)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(server.url + "config", timeout=10)
        assert refused.value.code == 401
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises several types here
            server.client()
        client = server.client(auth=("maintainer", "s3cret-pass"))
        _, (_, _, _, result, _) = ask(client, UK_QUESTION)
        assert result["sources"]
    finally:
        server.stop()


# --------------------------------------------------------------------------- a slow or failing LLM server


class StubLLMServer:
    """A tiny OpenAI-compatible server: streams the first line of source [1] with its citation,
    one word every `delay` seconds, or answers 503 while `down` is set."""

    def __init__(self, delay: float = 0.0) -> None:
        import http.server
        import threading

        stub = self
        self.delay = delay
        self.down = threading.Event()
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # the warm-up's probe of /v1/models
                self._json(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stub.requests += 1
                if stub.down.is_set():
                    self._json(503, {"error": {"message": "stub is down", "type": "server_error"}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in re.findall(r"\S+\s*", stub.reply(body["messages"])):
                    time.sleep(stub.delay)
                    self._event({"content": word}, None)
                self._event({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, delta: dict, finish: str | None) -> None:
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "stub",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def _json(self, code: int, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def reply(messages: list[dict]) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant.llm import CitingFakeChatModel

        typed = [SystemMessage(m["content"]) if m["role"] == "system" else HumanMessage(m["content"])
                 for m in messages]
        return CitingFakeChatModel().reply_for(typed)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_requests_beyond_capacity_wait_in_the_queue_with_their_position(tmp_path: Path) -> None:
    from gradio_client.utils import Status

    stub = StubLLMServer(delay=0.25)
    env = app_env(tmp_path / "data", llm_backend="openai", openai_base_url=stub.url, llm_model="stub",
                  concurrency="1")
    ingest(env, tmp_path)
    server = start_app(env, tmp_path)
    try:
        server.wait_for_status(server.client(), "Ready", timeout=60)
        jobs = [server.client().submit(UK_QUESTION, api_name="/ask") for _ in range(3)]
        ranks: list[int] = []
        deadline = time.monotonic() + 120
        while not all(j.done() for j in jobs) and time.monotonic() < deadline:
            for job in jobs[1:]:
                status = job.status()
                if status.code == Status.IN_QUEUE and status.rank is not None:
                    ranks.append(status.rank)
            time.sleep(0.05)
        results = [j.outputs()[-1][3] for j in jobs]
        assert all(r and r["mode"] == "llm" and r["sources"] for r in results)
        assert ranks, "no request ever waited in the queue"
        assert stub.requests == 3
    finally:
        server.stop()
        stub.close()


def test_llm_server_down_is_a_one_line_message_and_the_next_question_recovers(tmp_path: Path) -> None:
    stub = StubLLMServer()
    env = app_env(tmp_path / "data", llm_backend="openai", openai_base_url=stub.url, llm_model="stub",
                  fallback="none")
    ingest(env, tmp_path)
    server = start_app(env, tmp_path)
    try:
        client = server.client()
        stub.down.set()
        _, (_, chat, _, result, status) = ask(client, UK_QUESTION)
        message = last_text(chat)
        assert result is None
        assert message.startswith("⚠") and "HTTP 503" in message and "\n" not in message
        # The status never claims "Ready" while the LLM is down (on a slow machine the
        # background warm-up may still say "Starting").
        assert "Not ready" in status or "Starting" in status

        stub.down.clear()
        _, (_, chat, _, result, status) = ask(client, UK_QUESTION)
        assert result["mode"] == "llm" and "[1]" in result["answer"]
        assert "Ready" in status and "Not ready" not in status
    finally:
        server.stop()
        stub.close()


def test_llm_server_down_with_the_default_fallback_quotes_the_guide_with_a_note(tmp_path: Path) -> None:
    stub = StubLLMServer()
    stub.down.set()
    env = app_env(tmp_path / "data", llm_backend="openai", openai_base_url=stub.url, llm_model="stub")
    ingest(env, tmp_path)
    server = start_app(env, tmp_path)
    try:
        _, (_, chat, _, result, _) = ask(server.client(), UK_QUESTION)
        assert result["mode"] == "fallback" and "£60,000" in result["answer"]
        assert "Note: The language model is unavailable right now" in last_text(chat)
    finally:
        server.stop()
        stub.close()


# --------------------------------------------------------------------------- the real default model


def test_real_default_model_start_to_ready_and_first_token(tmp_path: Path) -> None:
    """The default settings (llama.cpp with Qwen2.5-Coder-1.5B, all-MiniLM-L6-v2): measure the
    time from start until the page is served, until the models are loaded, and to the first
    streamed token of one question."""
    pytest.importorskip("llama_cpp")
    # The 1.1 GB model is assembled once into the project's (ignored) data/models, as
    # `make run` does; the index of this run goes to tmp_path.
    env = app_env(REPO / "data", llm_backend="local", embedding_backend="local",
                  chroma_dir=str(tmp_path / "chroma"))
    from assistant.llm import assemble_gguf
    from core.settings import Settings

    assemble_gguf(Settings(_env_file=None, data_dir=REPO / "data", llm_backend="local"))  # type: ignore[call-arg]
    ingest(env, tmp_path)

    audit = tmp_path / "connections.log"
    server = start_app(env, tmp_path, audit=audit)
    try:
        client = server.client()
        status, warm_s = server.wait_for_status(client, "Ready|Not ready", timeout=300)
        assert "Ready" in status and "llama.cpp" in status, status

        updates, (_, chat, _, result, _) = ask(client, UK_QUESTION)

        follow_updates, (_, _, _, follow, _) = ask(client, "And in the US?")
        timings = {
            "start_to_page_served_s": round(server.ready_s, 2),
            "start_to_models_loaded_s": round(warm_s, 2),
            "first_question": {"first_streamed_token_s": _first_token_s(updates),
                               "server_ttft_s": result["ttft_s"], "answer_s": round(updates[-1][0], 2),
                               "mode": result["mode"]},
            "follow_up": {"first_streamed_token_s": _first_token_s(follow_updates),
                          "server_ttft_s": follow["ttft_s"], "answer_s": round(follow_updates[-1][0], 2),
                          "mode": follow["mode"]},
        }
        print("\nreal default model timings:", json.dumps(timings))
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "ui-timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")

        assert result["mode"] in ("llm", "extractive")
        assert result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
        assert "60,000" in result["answer"] and "130,000" in result["answer"]
        assert '<a class="cite"' in last_text(chat)
        assert follow["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "chroma", ignore_errors=True)
    assert outside_connections(audit) == []  # real models load from this machine only


def _first_token_s(updates: list[tuple[float, str]]) -> float:
    """Seconds from submitting until the first piece of answer text arrived."""
    return round(next(t for t, text in updates if text and text != PLACEHOLDER), 2)
