"""Backend faults: an OpenAI-compatible LLM server that is down, slow (times out), failing or
sending garbage, and a Chroma server that is unreachable.

The LLM server is tests/fakes/openai_server.py, a real HTTP server on a free port whose mode is
switched while the assistant runs, so recovery is shown without restarting anything. Expected:
the chat (or the CLI) says what is wrong in one line; with CAREER_FALLBACK=extractive the answer
is quoted from the guide and labelled; the next question after the server returns is a normal
model answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.openai_server import FakeOpenAIServer, closed_port

from assistant import prompts
from core.errors import BackendUnavailable
from core.settings import Settings, load_settings

DS_UK = "Why is a Data Scientist in the UK well paid?"  # an open question: the model path
DS_UK_ANSWER = "Data Scientist: UK: £50,000 – £100,000 [1]"  # what the fake server replies
MLE_UK = "Why is a Machine Learning Engineer in the UK well paid?"  # an open question: the model path
KEYWORD_THRESHOLD = 0.15  # see tests/test_chain.py
TIMEOUT_S = 1.0
# What the assistant must say for each fault (the LLM server's URL comes first).
FAULTS = {
    "down": "is unreachable",
    "slow": f"did not answer in {TIMEOUT_S:g} s",
    "error": "failed (HTTP 500)",
    "reject": "rejected the API key",
}


def openai_settings(corpus: Path, server: FakeOpenAIServer, **overrides: object) -> Settings:
    overrides.setdefault("relevance_threshold", KEYWORD_THRESHOLD)
    overrides.setdefault("llm_timeout_s", TIMEOUT_S)
    return load_settings(corpus_dir=corpus, llm_backend="openai", openai_base_url=server.url, **overrides)


@pytest.fixture
def make_assistant(keyword_index, llm_server):
    """build_assistant (the production wiring) over the keyword index, LLM = the fake server."""
    from assistant.chain import build_assistant

    def make(**overrides: object):
        return build_assistant(openai_settings(keyword_index.corpus, llm_server, **overrides))

    return make


def one_line(text: str) -> str:
    assert text and "\n" not in text and "Traceback" not in text, text
    return text


# --------------------------------------------------------------------------- the fake itself


@pytest.mark.integration
def test_the_fake_server_speaks_streaming_and_plain_chat_completions(llm_server, tmp_path: Path) -> None:
    from langchain_core.messages import HumanMessage

    from assistant.llm import check_backend, make_chat_model

    model = make_chat_model(openai_settings(tmp_path, llm_server))
    prompt = [HumanMessage("Sources:\n[1] Data Scientist / Salary range\n- UK: £1 – £2\n- US: $3 – $4\n\n"
                           "Question: And in the US?")]

    streamed = "".join(chunk.text for chunk in model.stream(prompt))
    plain = model.model_copy(update={"streaming": False}).invoke(prompt).text
    check_backend(model)  # GET /v1/models

    assert streamed == plain == "Data Scientist: US: $3 – $4 [1]"
    assert [r.stream for r in llm_server.chat_requests()] == [True, False]
    assert llm_server.received[-1].path == "/v1/models"


# --------------------------------------------------------------------------- the chain (in process)


@pytest.mark.integration
def test_a_running_server_gives_a_model_answer(make_assistant) -> None:
    result = make_assistant().answer(DS_UK)

    assert (result.mode, result.answer, result.notice) == ("llm", DS_UK_ANSWER, "")


@pytest.mark.integration
@pytest.mark.parametrize("mode", list(FAULTS))
def test_a_failing_server_gives_the_labelled_extractive_fallback(make_assistant, llm_server,
                                                                 mode: str) -> None:
    assistant = make_assistant(fallback="extractive")
    llm_server.set_mode(mode)

    started = time.perf_counter()
    result = assistant.answer(DS_UK)
    elapsed = time.perf_counter() - started

    assert result.mode == "fallback" and not result.declined
    assert one_line(result.notice).startswith("The language model is unavailable right now (LLM server at "
                                              f"{llm_server.url} {FAULTS[mode]}")
    assert result.answer.startswith(prompts.EXTRACTIVE_INTRO) and "£50,000 – £100,000" in result.answer
    assert result.sources[0]["section"] == "Data Scientist / Salary range"
    assert elapsed < TIMEOUT_S + 5  # no retries, no waiting for the slow server's reply


@pytest.mark.integration
def test_a_server_sending_garbage_gives_the_labelled_extractive_fallback(make_assistant, llm_server) -> None:
    assistant = make_assistant(fallback="extractive")
    llm_server.set_mode("garbage")

    result = assistant.answer(DS_UK)

    assert result.mode == "fallback"
    assert f"LLM server at {llm_server.url}" in one_line(result.notice)


@pytest.mark.integration
@pytest.mark.parametrize("mode", list(FAULTS))
def test_without_a_fallback_a_failing_server_is_a_one_line_error(make_assistant, llm_server,
                                                                 mode: str) -> None:
    assistant = make_assistant(fallback="none")
    llm_server.set_mode(mode)

    with pytest.raises(BackendUnavailable) as err:
        assistant.answer(DS_UK)

    assert one_line(str(err.value)).startswith(f"LLM server at {llm_server.url} {FAULTS[mode]}")


@pytest.mark.integration
def test_without_a_fallback_a_server_sending_garbage_is_a_one_line_error(make_assistant, llm_server) -> None:
    assistant = make_assistant(fallback="none")
    llm_server.set_mode("garbage")

    with pytest.raises(BackendUnavailable) as err:
        assistant.answer(DS_UK)

    assert one_line(str(err.value)).startswith(f"LLM server at {llm_server.url}")


@pytest.mark.integration
def test_the_assistant_recovers_by_itself_when_the_server_returns(make_assistant, llm_server) -> None:
    assistant = make_assistant(fallback="extractive")
    modes = []

    for mode in ["normal", "down", "normal", "slow", "normal", "error", "reject", "normal"]:
        llm_server.set_mode(mode)
        modes.append(assistant.answer(DS_UK).mode)

    assert modes == ["llm", "fallback", "llm", "fallback", "llm", "fallback", "fallback", "llm"]


@pytest.mark.integration
def test_the_chat_without_a_fallback_says_so_in_one_line_and_recovers(keyword_index, llm_server) -> None:
    """The web app's chat logic (assistant/webapp/chat.py, what ui.py runs) with CAREER_FALLBACK=none."""
    from assistant.webapp import LazyAssistant, stream_chat

    source = LazyAssistant(openai_settings(keyword_index.corpus, llm_server, fallback="none"))
    llm_server.set_mode("down")

    down = list(stream_chat(source, DS_UK, []))[-1]
    reply = down.messages[-1]["content"]
    assert one_line(reply) == f"⚠ LLM server at {llm_server.url} is unreachable: start it or set " \
                              "CAREER_LLM_BACKEND=local"
    assert "unreachable" in source.status_line()

    llm_server.set_mode("normal")
    back = list(stream_chat(source, DS_UK, down.turns))[-1]
    assert back.result is not None and back.result["mode"] == "llm"
    assert back.result["answer"] == DS_UK_ANSWER
    assert "Ready" in source.status_line()


# --------------------------------------------------------------------------- the CLI


def cli_env(data: Path, server: FakeOpenAIServer, **settings: str) -> dict[str, str]:
    env = {"CAREER_DATA_DIR": str(data), "CAREER_LLM_BACKEND": "openai", "CAREER_OPENAI_BASE_URL": server.url,
           "CAREER_LLM_TIMEOUT_S": str(TIMEOUT_S), "CAREER_RELEVANCE_THRESHOLD": str(KEYWORD_THRESHOLD)}
    env.update({f"CAREER_{k.upper()}": v for k, v in settings.items()})
    return env


@pytest.mark.integration
def test_ask_with_the_server_down_prints_the_quoted_answer_and_a_one_line_note(run_cli, cli_index,
                                                                               llm_server) -> None:
    llm_server.set_mode("down")

    run = run_cli("ask", DS_UK, env=cli_env(cli_index.data, llm_server, fallback="extractive"))

    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert prompts.EXTRACTIVE_INTRO in run.stdout and "£50,000 – £100,000" in run.stdout
    notes = [line for line in run.stdout.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and f"LLM server at {llm_server.url} is unreachable" in notes[0]


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["down", "slow"])
def test_ask_without_a_fallback_is_a_one_line_error(run_cli, cli_index, llm_server, mode: str) -> None:
    llm_server.set_mode(mode)

    run = run_cli("ask", DS_UK, env=cli_env(cli_index.data, llm_server, fallback="none"))

    assert run.returncode == 2 and run.stdout.strip() == "" and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip() == f"error: LLM server at {llm_server.url} {FAULTS[mode]}" + (
        ": start it or set CAREER_LLM_BACKEND=local" if mode == "down" else
        ": check it or raise CAREER_LLM_TIMEOUT_S")


@pytest.mark.integration
def test_ask_with_a_server_sending_garbage_is_a_one_line_error(run_cli, cli_index, llm_server) -> None:
    llm_server.set_mode("garbage")

    run = run_cli("ask", DS_UK, env=cli_env(cli_index.data, llm_server, fallback="none"))

    assert "Traceback" not in run.stderr
    assert run.returncode == 2 and run.stderr.startswith(f"error: LLM server at {llm_server.url}")


# --------------------------------------------------------------------------- Chroma server unreachable


@pytest.mark.parametrize("command", [["ask", DS_UK], ["ingest", "--quiet"]], ids=["ask", "ingest"])
def test_an_unreachable_chroma_server_is_a_one_line_error(run_cli, settings: Settings,
                                                          command: list[str]) -> None:
    port = closed_port()

    started = time.perf_counter()
    run = run_cli(*command, env={"CAREER_CHROMA_HOST": "127.0.0.1", "CAREER_CHROMA_PORT": str(port)})

    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith(f"error: Chroma server at 127.0.0.1:{port} is unreachable")
    assert len(run.stderr.strip().splitlines()) == 1
    assert not settings.chroma_path.exists()  # nothing fell back to a local folder
    assert time.perf_counter() - started < 60


def test_the_chat_says_the_chroma_server_is_unreachable_in_one_line(settings: Settings) -> None:
    from assistant.webapp import LazyAssistant, stream_chat

    port = closed_port()
    source = LazyAssistant(load_settings(chroma_host="127.0.0.1", chroma_port=port))

    reply = list(stream_chat(source, DS_UK, []))[-1].messages[-1]["content"]

    assert one_line(reply).startswith(f"⚠ Chroma server at 127.0.0.1:{port} is unreachable")
    assert "unreachable" in source.status_line()


# --------------------------------------------------------------------------- the running web app


@pytest.fixture(scope="module")
def app_llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(mode="down", slow_s=30) as server:  # the app starts while the LLM is down
        yield server


@pytest.fixture(scope="module")
def faults_app(tmp_path_factory: pytest.TempPathFactory, app_llm: FakeOpenAIServer) -> Iterator:
    from test_ui_client import app_env, ingest, start_app

    home = tmp_path_factory.mktemp("faults-app")
    env = app_env(home / "data", llm_backend="openai", openai_base_url=app_llm.url, llm_timeout_s="3",
                  fallback="extractive", openai_api_key="sk-test-app-key")
    ingest(env, home)
    server = start_app(env, home)
    yield server
    server.stop()


@pytest.fixture
def app_mode(app_llm: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    yield app_llm
    app_llm.set_mode("normal")


@pytest.mark.integration
def test_the_chat_labels_the_fallback_in_one_line_and_recovers_by_itself(faults_app, app_mode) -> None:
    from test_ui_client import ask, last_text

    client = faults_app.client()
    status, _ = faults_app.wait_for_status(client, "Ready|Not ready", timeout=120)
    assert "Not ready" in status and "unreachable" in status  # it started while the LLM was down
    url = app_mode.url
    seen = {}
    for mode, expected in [("down", "is unreachable"), ("slow", "did not answer in 3 s"),
                           ("error", "failed (HTTP 500)"), ("normal", None)]:
        app_mode.set_mode(mode)
        started = time.perf_counter()
        _, (_, chat, _, result, _) = ask(client, MLE_UK)
        seen[mode] = time.perf_counter() - started
        text = last_text(chat)
        assert result is not None, text
        if expected is None:
            assert result["mode"] == "llm" and result["notice"] == ""
            assert "£60,000 – £130,000" in result["answer"] and "Note:" not in text
            continue
        assert result["mode"] == "fallback"
        assert one_line(result["notice"]).startswith(f"The language model is unavailable right now (LLM "
                                                     f"server at {url} {expected}")
        assert "Note: The language model is unavailable right now" in text  # labelled in the chat
        assert "quoted from the guide" in text and "£60,000 – £130,000" in text
    assert seen["slow"] < 3 + 15, seen
    print("\nchat answer seconds by LLM server mode:", {k: round(v, 2) for k, v in seen.items()})


@pytest.mark.integration
def test_the_chat_labels_the_fallback_when_the_server_sends_garbage(faults_app, app_mode) -> None:
    from test_ui_client import ask, last_text

    client = faults_app.client()
    app_mode.set_mode("garbage")
    _, (_, chat, _, result, _) = ask(client, MLE_UK)

    assert result is not None and result["mode"] == "fallback", last_text(chat)
    assert f"LLM server at {app_mode.url}" in result["notice"]
