"""Scale out on a real engine: a Chroma server (`chroma run`) shared by the CLI and by several web
app processes, which also share one OpenAI-compatible LLM server (tests/fakes).

With CAREER_CHROMA_HOST/PORT set, `ingest` writes to the server and nothing to a local folder,
`ask` reads from it, two `python ui.py` processes answer from the same index, and the app says
so when the Chroma server goes away and recovers when it comes back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.openai_server import FakeOpenAIServer
from test_ui_client import AppServer, app_env, ask, free_port, ingest, last_text, start_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
MLE_UK = "Why is a Machine Learning Engineer in the UK well paid?"  # an open question: the model path
MLE_SALARY = "Machine Learning Engineer / Salary range"
EDGE_QUESTION = "What is the edge deployment engineer salary in the UK?"
CORPUS_FILES = len(list((REPO / "corpus").glob("*.md")))


def chroma_cli() -> Path | None:
    """The `chroma` command of this environment (the venv's bin, else PATH)."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.exists():
        return beside
    found = shutil.which("chroma")
    return Path(found) if found else None


@dataclass
class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port P` in a subprocess."""

    path: Path
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    host: str = "127.0.0.1"

    def start(self, timeout: float = 120) -> ChromaServer:
        command = chroma_cli()
        assert command is not None
        out = self.log.open("a", encoding="utf-8")
        self.proc = subprocess.Popen([str(command), "run", "--path", str(self.path), "--host", self.host,
                                      "--port", str(self.port)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"chroma run exited:\n{self.log.read_text()[-3000:]}"
            if self.heartbeat():
                return self
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"no Chroma heartbeat on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def heartbeat(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def settings(self) -> dict[str, str]:
        """The app settings (for test_ui_client.app_env) that point at this server."""
        return {"chroma_host": self.host, "chroma_port": str(self.port)}

    def count(self, collection: str = "career_guide") -> int:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.HttpClient(host=self.host, port=self.port,
                                     settings=ChromaSettings(anonymized_telemetry=False))
        return client.get_collection(collection, embedding_function=None).count()


def launch_chroma(folder: Path) -> ChromaServer:
    if chroma_cli() is None:
        pytest.skip("the `chroma` CLI (chromadb's server) is not installed in this environment")
    folder.mkdir(parents=True, exist_ok=True)
    return ChromaServer(folder / "index", free_port(), folder / "chroma.log").start()


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = launch_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, chroma: ChromaServer,
           llm: FakeOpenAIServer) -> tuple[Path, dict[str, str]]:
    """A corpus copy ingested into the Chroma server by the CLI; returns (home, app env)."""
    home = tmp_path_factory.mktemp("shared-index")
    corpus = home / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env = app_env(home / "data", corpus_dir=corpus, llm_backend="openai", openai_base_url=llm.url,
                  **chroma.settings())
    ingest(env, home)
    return home, env


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


# --------------------------------------------------------------------------- CLI through the server


def test_ingest_and_ask_go_to_the_chroma_server_and_nothing_to_a_local_folder(
        shared: tuple[Path, dict[str, str]], chroma: ChromaServer, llm: FakeOpenAIServer) -> None:
    home, env = shared

    again = cli(env, home, "ingest", "--quiet")
    answer = cli(env, home, "ask", MLE_UK, "--json")

    assert again.returncode == 0, again.stderr
    assert f"added 0, updated 0, unchanged {CORPUS_FILES}, removed 0" in again.stdout
    indexed = int(again.stdout.split(" chunks indexed")[0].rsplit(" ", 1)[-1])
    assert chroma.count() == indexed > 0  # what the server holds
    assert (chroma.path / "chroma.sqlite3").exists()
    assert not (home / "data" / "chroma").exists()  # no local index was written or read
    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout)
    assert result["sources"][0]["section"] == MLE_SALARY and "£60,000 – £130,000" in result["answer"]
    assert llm.chat_requests(), "the answer came from the LLM server"


# --------------------------------------------------------------------------- two app processes


@pytest.fixture(scope="module")
def apps(shared: tuple[Path, dict[str, str]]) -> Iterator[list[AppServer]]:
    home, env = shared
    servers: list[AppServer] = []
    try:
        for n in range(2):
            cwd = home / f"app-{n}"
            cwd.mkdir()
            servers.append(start_app(env, cwd))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_app_processes_answer_from_the_same_index_and_llm_server(
        apps: list[AppServer], chroma: ChromaServer, llm: FakeOpenAIServer) -> None:
    before = len(llm.chat_requests())
    answers = []
    for app in apps:
        client = app.client()
        status, _ = app.wait_for_status(client, "Ready|Not ready", timeout=120)
        assert "Ready" in status and f"Chroma server {chroma.host}:{chroma.port}" in status, status
        _, (_, chat, _, result, _) = ask(client, MLE_UK)
        assert result is not None, last_text(chat)
        answers.append(result)

    first, second = answers
    assert first["mode"] == second["mode"] == "llm"
    # The server's reply, the same from both apps.
    assert first["answer"] == second["answer"]
    assert first["answer"].startswith("Machine Learning Engineer: UK: £60,000 – £130,000 [1]")
    assert first["sources"] == second["sources"] and first["sources"][0]["section"] == MLE_SALARY
    assert len(llm.chat_requests()) - before == 2  # one LLM server behind both apps


def test_a_guide_file_added_through_the_server_reaches_both_running_apps(
        apps: list[AppServer], shared: tuple[Path, dict[str, str]], chroma: ChromaServer) -> None:
    home, env = shared
    extra = home / "extra"
    extra.mkdir()
    (extra / "edge-ml.md").write_text(
        "# Edge AI note\n\n## Edge deployment engineer salary\n\n"
        "An edge deployment engineer deploys model code on devices; salary UK £66,600 – £99,900.\n",
        encoding="utf-8")
    before = chroma.count()
    run = cli(env, home, "ingest", "--quiet", str(extra))
    assert run.returncode == 0, run.stderr
    assert chroma.count() > before

    for app in apps:  # no restart: each app's next question sees the new chunk
        _, (_, chat, _, result, _) = ask(app.client(), EDGE_QUESTION)
        assert result is not None, last_text(chat)
        assert "Edge AI note / Edge deployment engineer salary" in [s["section"] for s in result["sources"]]


def test_an_edited_guide_file_reaches_both_running_apps(apps: list[AppServer],
                                                         shared: tuple[Path, dict[str, str]]) -> None:
    home, env = shared
    page = home / "corpus" / "machine-learning-engineer.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("UK: £60,000 – £130,000", "UK: £61,000 – £131,000"), encoding="utf-8")
    run = cli(env, home, "ingest", "--quiet")
    assert run.returncode == 0, run.stderr
    assert "updated 1," in run.stdout

    for app in apps:
        _, (_, chat, _, result, _) = ask(app.client(), MLE_UK)
        assert result is not None, last_text(chat)
        assert "£61,000 – £131,000" in result["sources"][0]["text"]


# --------------------------------------------------------------------------- the Chroma server goes away


@dataclass
class Outage:
    server: ChromaServer
    before: dict | None  # the answer while the Chroma server ran
    down: list[str]  # the chat replies to two questions while it was stopped
    after: dict | None  # the answer once it was started again


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory, llm: FakeOpenAIServer) -> Iterator[Outage]:
    """An app on its own Chroma server, asked before, during and after the server is stopped."""
    home = tmp_path_factory.mktemp("outage")
    server = launch_chroma(home / "chroma")
    app = None
    try:
        env = app_env(home / "data", llm_backend="openai", openai_base_url=llm.url, **server.settings())
        ingest(env, home)
        app = start_app(env, home)
        client = app.client()
        _, (_, _, _, before, _) = ask(client, MLE_UK)
        server.stop()
        down = []
        for _ in range(2):  # the first question finds the connection gone; the second rebuilds
            _, (_, chat, _, result, _) = ask(client, MLE_UK)
            down.append(last_text(chat) if result is None else json.dumps(result))
        server.start()
        _, (_, _, _, after, _) = ask(client, MLE_UK)
        yield Outage(server, before, down, after)
    finally:
        if app is not None:
            app.stop()
        server.stop()


def test_the_app_recovers_by_itself_when_the_chroma_server_returns(outage: Outage) -> None:
    server = outage.server

    assert outage.before is not None and outage.before["sources"][0]["section"] == MLE_SALARY
    for reply in outage.down:
        assert reply.startswith("⚠") and "\n" not in reply and "Traceback" not in reply, reply
    assert outage.down[-1].startswith(f"⚠ Chroma server at {server.host}:{server.port} is unreachable")
    assert outage.after is not None and outage.after["sources"][0]["section"] == MLE_SALARY


def test_the_first_question_after_the_chroma_server_goes_away_names_it(outage: Outage) -> None:
    server = outage.server

    assert outage.down[0].startswith(f"⚠ Chroma server at {server.host}:{server.port} is unreachable")
