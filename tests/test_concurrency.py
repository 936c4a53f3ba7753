"""Concurrent users on the running web app (`python ui.py`), driven with gradio_client.

16 simultaneous chat sessions against the fake OpenAI-compatible server (tests/fakes): every
request answered, no errors, no cross-talk (session i asks about role A_i, then "And in the
US?", and must get A_i's US figure), every session's thumbs-down stored in the SQLite feedback
database (WAL); throughput and p95 latency are printed. A request beyond the queue's capacity
(CAREER_CONCURRENCY answers at a time) waits with a visible queue position. A smaller run of
two sessions uses the real local model (Qwen2.5-Coder-1.5B on llama.cpp).
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.openai_server import FakeOpenAIServer
from test_ui_client import REPO, AppServer, app_env, ask, ingest, last_text, start_app

from assistant.roles import load_roles

pytestmark = pytest.mark.integration

SESSIONS = 16
FOLLOW_UP = "And in the US?"
# How each role is asked about (the guide's full titles are long).
ROLE_NAMES = {
    "Machine Learning Engineer": "Machine Learning Engineer",
    "Data Scientist": "Data Scientist",
    "AI/ML Research Scientist": "AI/ML Research Scientist",
    "MLOps / AI Infrastructure Engineer": "MLOps engineer",
    "AI Product Manager": "AI Product Manager",
    "Prompt Engineer / AI Solutions Specialist": "Prompt Engineer",
}
ARTIFACTS = REPO / "test-artifacts"


@dataclass(frozen=True)
class Role:
    title: str
    name: str
    uk: str
    us: str

    @property
    def question(self) -> str:
        return f"Why is a {self.name} in the UK well paid?"  # an open question: the model path


@dataclass
class Session:
    role: Role
    latencies: list[float] = field(default_factory=list)
    results: list[dict | None] = field(default_factory=list)
    chats: list[list[dict]] = field(default_factory=list)
    liked: dict | None = None
    error: str = ""


def guide_roles() -> list[Role]:
    """The roles whose salary the guide gives for both the UK and the US."""
    roles = []
    for title, facts in load_roles(REPO / "corpus").items():
        uk, us = facts.salary_for("uk"), facts.salary_for("us")
        if title in ROLE_NAMES and uk and us and uk[0].region_key == "uk" and us[0].region_key == "us":
            roles.append(Role(title, ROLE_NAMES[title], uk[0].display(), us[0].display()))
    assert len(roles) >= 5, roles
    return roles


def like(app: AppServer, client: Any, message_index: int, liked: bool) -> dict:
    """Click thumbs up/down on chat message `message_index` of `client`'s session, as the page does.

    The like event is private to the page (not callable through gradio_client), so this joins
    Gradio's queue over HTTP with the session's hash and the event data the browser sends.
    """
    fn_index = next(i for i, dep in enumerate(client.config["dependencies"])
                    if any(target[1] == "like" for target in dep.get("targets", [])))
    with httpx.Client(base_url=app.url, timeout=60, trust_env=False) as http:
        joined = http.post("gradio_api/queue/join", json={
            "data": [None], "fn_index": fn_index, "session_hash": client.session_hash, "trigger_id": None,
            "event_data": {"index": [message_index, 1], "value": None, "liked": liked}})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with http.stream("GET", "gradio_api/queue/data", params={"session_hash": client.session_hash}) as sse:
            for line in sse.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event_id and message.get("msg") == "process_completed":
                    assert message.get("success", True), message
                    return message["output"]
    raise AssertionError("the like event never completed")


def run_session(app: AppServer, role: Role, start: threading.Barrier, rate: bool = True) -> Session:
    session = Session(role)
    try:
        client = app.client()
        start.wait(timeout=120)
        for question in (role.question, FOLLOW_UP):
            started = time.perf_counter()
            _, (_, chat, _, result, _) = ask(client, question)
            session.latencies.append(time.perf_counter() - started)
            session.results.append(result)
            session.chats.append(chat)
        if rate:
            session.liked = like(app, client, message_index=3, liked=False)  # the US answer
    except Exception as exc:  # reported per session, after all of them finished
        session.error = f"{type(exc).__name__}: {exc}"
    return session


def run_sessions(app: AppServer, roles: list[Role], rate: bool = True) -> tuple[list[Session], float]:
    start = threading.Barrier(len(roles) + 1)
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        futures = [pool.submit(run_session, app, role, start, rate) for role in roles]
        start.wait(timeout=120)
        began = time.perf_counter()
        sessions = [f.result(timeout=900) for f in futures]
    return sessions, time.perf_counter() - began


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(label: str, sessions: list[Session], wall_s: float) -> dict:
    latencies = [t for s in sessions for t in s.latencies]
    stats = {
        "sessions": len(sessions), "answers": len(latencies), "wall_s": round(wall_s, 2),
        "throughput_answers_per_s": round(len(latencies) / wall_s, 2),
        "p50_s": round(statistics.median(latencies), 2), "p95_s": round(p95(latencies), 2),
        "max_s": round(max(latencies), 2),
    }
    print(f"\n{label}: {json.dumps(stats)}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"concurrency-{label}.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats


def assert_no_cross_talk(session: Session, other_us: set[str]) -> None:
    """The follow-up resolved against this session's own first question."""
    role = session.role
    first, follow = session.results
    assert first is not None and follow is not None, (role.title, session.chats)
    assert f"{role.title} / Salary range" in [s["section"] for s in first["sources"]], (role.title, first)
    assert role.title in follow["query"], (role.title, follow["query"])
    assert follow["sources"][0]["section"] == f"{role.title} / Salary range", (role.title, follow)
    chat = session.chats[1]
    assert len(chat) == 4 and last_text(chat[:1]) == role.question  # its own conversation, nobody else's
    for figure in other_us - {role.us}:
        assert figure not in follow["answer"], (role.title, follow["answer"])


# --------------------------------------------------------------------------- 16 sessions, fake LLM


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(token_delay_s=0.01, slow_s=60) as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, llm: FakeOpenAIServer) -> Iterator[AppServer]:
    home = tmp_path_factory.mktemp("concurrency")
    env = app_env(home / "data", llm_backend="openai", openai_base_url=llm.url, llm_timeout_s="60")
    ingest(env, home)
    server = start_app(env, home)
    yield server
    server.stop()


def test_sixteen_sessions_are_all_answered_without_cross_talk_and_all_feedback_is_stored(
        app: AppServer, llm: FakeOpenAIServer) -> None:
    roles = guide_roles()
    chosen = [roles[i % len(roles)] for i in range(SESSIONS)]
    before = len(llm.chat_requests())

    sessions, wall_s = run_sessions(app, chosen)

    errors = [(s.role.title, s.error) for s in sessions if s.error]
    assert not errors, errors
    stats = report("fake-llm", sessions, wall_s)
    us_figures = {r.us for r in roles}
    for session in sessions:
        # the first answer is the model's; "And in the US?" is computed from the role's own facts
        assert [r["mode"] for r in session.results] == ["llm", "computed"], session.results  # type: ignore[index]
        assert session.role.us in session.results[1]["answer"]  # type: ignore[index]
        assert_no_cross_talk(session, us_figures)
    assert len(llm.chat_requests()) - before == SESSIONS  # the follow-ups need no model
    assert llm.max_active <= 2, "CAREER_CONCURRENCY (2) answers at a time, the rest queue"
    assert stats["answers"] == 2 * SESSIONS

    database = Path(app.log.parent / "data" / "feedback.sqlite3")
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = db.execute("SELECT question, answer, history, rating FROM feedback").fetchall()
    assert len(rows) == SESSIONS
    stored = sorted((json.loads(history)[0]["content"], answer.split(" [1]")[0])
                    for question, answer, history, rating in rows if question == FOLLOW_UP and rating == -1)
    assert stored == sorted((s.role.question, s.results[1]["answer"].split(" [1]")[0])  # type: ignore[index]
                            for s in sessions)


def test_a_request_beyond_capacity_waits_in_the_queue_with_its_position(app: AppServer,
                                                                        llm: FakeOpenAIServer) -> None:
    from gradio_client.utils import Status

    roles = guide_roles()
    llm.set_mode("slow")  # the LLM holds each answer until the mode changes again
    try:
        busy = [app.client() for _ in range(2)]
        running = [c.submit(r.question, api_name="/ask") for c, r in zip(busy, roles, strict=False)]
        deadline = time.monotonic() + 60
        while llm.active < 2:
            assert time.monotonic() < deadline, f"the first two answers never reached the LLM ({llm.active})"
            time.sleep(0.05)

        waiting = app.client().submit(roles[2].question, api_name="/ask")
        queued = None
        deadline = time.monotonic() + 30
        while queued is None and time.monotonic() < deadline:
            status = waiting.status()
            if status.code == Status.IN_QUEUE and status.rank is not None:
                queued = status
            time.sleep(0.05)
        active_while_queued = llm.active
    finally:
        llm.set_mode("normal")

    assert queued is not None, f"no queue position reported; last status {waiting.status()}"
    print(f"\nqueued request: rank {queued.rank}, queue size {queued.queue_size}, eta {queued.eta}")
    assert queued.rank == 0 and queued.queue_size is not None and queued.queue_size >= 1
    assert active_while_queued == 2  # it waited; it did not fail or run past the limit
    for job, role in zip([*running, waiting], roles, strict=False):
        job.result(timeout=120)
        result = job.outputs()[-1][3]
        assert result is not None and result["mode"] == "llm", job.outputs()[-1]
        assert f"{role.title} / Salary range" in [s["section"] for s in result["sources"]]


# --------------------------------------------------------------------------- the real local model


def test_two_sessions_on_the_local_model_keep_their_own_follow_ups(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from assistant.llm import assemble_gguf
    from core.settings import Settings

    # The 1.1 GB GGUF is assembled once into the project's (ignored) data/models, as `make run` does;
    # everything else of this run (index, feedback) stays in tmp_path.
    assemble_gguf(Settings(_env_file=None, data_dir=REPO / "data", llm_backend="local"))  # type: ignore[call-arg]
    (tmp_path / "data").mkdir()
    os.symlink(REPO / "data" / "models", tmp_path / "data" / "models")
    # A short context and reply keep four answers on 2 busy cores near a minute.
    env = app_env(tmp_path / "data", llm_backend="local", context_tokens="300", top_k="2",
                  llm_max_tokens="60")
    ingest(env, tmp_path)
    server = start_app(env, tmp_path)
    try:
        status, _ = server.wait_for_status(server.client(), "Ready|Not ready", timeout=300)
        assert "Ready" in status and "llama.cpp" in status, status
        roles = {r.title: r for r in guide_roles()}
        chosen = [roles["Data Scientist"], roles["Machine Learning Engineer"]]

        sessions, wall_s = run_sessions(server, chosen, rate=False)

        errors = [(s.role.title, s.error) for s in sessions if s.error]
        assert not errors, errors
        report("local-llm", sessions, wall_s)
        for session in sessions:
            assert_no_cross_talk(session, {r.us for r in chosen})
            follow = session.results[1]
            assert follow is not None and follow["mode"] == "computed", follow
            low = session.role.us.split(" – ")[0].lstrip("$")
            assert low in follow["answer"], (session.role.title, follow["answer"])
    finally:
        server.stop()
