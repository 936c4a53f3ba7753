"""Bad input, CLI and web app: what the other suites do not already cover.

tests/test_ingest_cli.py, test_index.py, test_ask_cli.py, test_chain.py and test_webapp.py cover
empty/huge/control-character questions, non-UTF-8/binary/empty/unsupported files, an empty
folder, a missing index for `ask` and a corrupted Chroma database for `ingest`. Here: invalid
settings for every subcommand (and `python ui.py`, and a `.env` file), settings that pass
validation but cannot work, invalid quiz answers to `recommend`, a huge file, a corrupted index
for `ask`, an index that survives a run of failing ingests, and the web app (via gradio_client):
whitespace, control characters, mixed scripts, invalid quiz answers, a corrupted index.

Every CLI failure must be one line on stderr starting with "error:", a non-zero exit and no
traceback; every web app failure a one-line message in the chat (or the quiz panel).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DS_UK = "How much does a Data Scientist earn in the UK?"
KEYWORD_THRESHOLD = "0.15"  # see tests/test_chain.py: the keyword fake's own relevance threshold
CORPUS_FILES = len(list((REPO / "corpus").glob("*.md")))

# Each subcommand with arguments that would otherwise be valid.
SUBCOMMANDS = {
    "ingest": ["ingest", "--quiet"],
    "ask": ["ask", DS_UK],
    "recommend": ["recommend", "--code", "yes", "--research", "no", "--stakeholders", "no"],
    "eval": ["eval", "--limit", "1", "--no-haystack"],
    "bench": ["bench", "--quick"],
    "serve": ["serve"],
    "feedback": ["feedback"],
}
BAD_SETTINGS = {
    "CAREER_LLM_BACKEND": ("bogus", "expected 'local', 'openai', 'ollama' or 'fake'"),
    "CAREER_PORT": ("abc", "valid integer"),
}


def one_line_error(run) -> str:
    """The single `error: ...` line of a failed command (asserts there is no traceback)."""
    assert run.returncode != 0, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- invalid settings


@pytest.mark.parametrize("setting", list(BAD_SETTINGS))
@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_an_invalid_setting_is_a_one_line_error_for_every_subcommand(run_cli, command: str,
                                                                     setting: str) -> None:
    value, expected = BAD_SETTINGS[setting]

    line = one_line_error(run_cli(*SUBCOMMANDS[command], env={setting: value}, timeout=120))

    assert f"{setting}={value!r}" in line and expected in line


@pytest.mark.parametrize("argv", [[str(REPO / "ui.py")], ["-m", "ingest", "--quiet"]],
                         ids=["ui.py", "python -m ingest"])
def test_an_invalid_setting_is_a_one_line_error_for_the_other_entry_points(tmp_path: Path,
                                                                           argv: list[str]) -> None:
    env = {**os.environ, "CAREER_LLM_BACKEND": "bogus"}

    proc = subprocess.run([sys.executable, *argv], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)

    assert "CAREER_LLM_BACKEND='bogus'" in one_line_error(proc)
    assert proc.returncode == 2


def test_an_invalid_setting_in_a_dotenv_file_is_a_one_line_error(run_cli, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CAREER_FALLBACK=sometimes\n", encoding="utf-8")

    line = one_line_error(run_cli("ask", DS_UK, cwd=tmp_path))

    assert "CAREER_FALLBACK='sometimes'" in line and "'extractive' or 'none'" in line


@pytest.mark.parametrize(("setting", "value"), [("CAREER_CONCURRENCY", "0"), ("CAREER_TOP_K", "-1"),
                                                ("CAREER_CHROMA_PORT", "eight thousand")])
def test_other_invalid_numbers_are_one_line_errors(run_cli, setting: str, value: str) -> None:
    line = one_line_error(run_cli("ask", DS_UK, env={setting: value}))

    assert setting in line


def test_a_port_out_of_range_is_a_one_line_error(run_cli) -> None:
    line = one_line_error(run_cli("serve", env={"CAREER_PORT": "70000"}, timeout=180))

    assert "CAREER_PORT" in line


def test_a_port_already_in_use_is_a_one_line_error(run_cli, cli_index) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        run = run_cli("serve", env={"CAREER_PORT": str(port), "CAREER_DATA_DIR": str(cli_index.data)},
                      timeout=180)

    line = one_line_error(run)
    assert str(port) in line and "CAREER_PORT" in line


@pytest.mark.integration
def test_a_negative_llm_timeout_is_a_one_line_error(run_cli, cli_index, llm_server) -> None:
    run = run_cli("ask", DS_UK, env={"CAREER_DATA_DIR": str(cli_index.data), "CAREER_LLM_BACKEND": "openai",
                                     "CAREER_OPENAI_BASE_URL": llm_server.url, "CAREER_LLM_TIMEOUT_S": "-1",
                                     "CAREER_FALLBACK": "none"})

    assert "CAREER_LLM_TIMEOUT_S" in one_line_error(run)


# --------------------------------------------------------------------------- recommend: invalid quiz answers


@pytest.mark.parametrize(("args", "expected"), [
    (["--code", "maybe", "--research", "no", "--stakeholders", "no"], "--code 'maybe': answer yes or no"),
    (["--code", "yes", "--research", "", "--stakeholders", "no"], "--research '': answer yes or no"),
    (["--code", "yes", "--research", "no", "--stakeholders", "sometimes"],
     "--stakeholders 'sometimes': answer yes or no"),
    (["--code", "yes", "--research", "no", "--stakeholders", "no", "--region", "mars"],
     "--region 'mars': choose uk, us or global"),
    ([*SUBCOMMANDS["recommend"][1:], "--top", "0"], "--top must be a positive number"),
    ([*SUBCOMMANDS["recommend"][1:], "--top", "-3"], "--top must be a positive number"),
])
def test_an_invalid_quiz_answer_is_a_one_line_error(run_cli, args: list[str], expected: str) -> None:
    run = run_cli("recommend", *args)

    assert expected in one_line_error(run)
    assert run.returncode == 2 and run.stdout == ""


@pytest.mark.parametrize(("args", "expected"), [
    (["--research", "no", "--stakeholders", "no"], "the following arguments are required: --code"),
    (["--code", "yes", "--research", "no", "--stakeholders", "no", "--top", "abc"],
     "argument --top: invalid int value: 'abc'"),
])
def test_a_malformed_recommend_command_gets_argparse_usage_and_exit_2(run_cli, args: list[str],
                                                                      expected: str) -> None:
    run = run_cli("recommend", *args)

    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].endswith(expected)


@pytest.mark.parametrize("corpus", ["missing", "empty"])
def test_recommend_without_the_guide_is_a_one_line_error(run_cli, tmp_path: Path, corpus: str) -> None:
    folder = tmp_path / "guide"
    if corpus == "empty":
        folder.mkdir()

    line = one_line_error(run_cli("recommend", "--code", "yes", "--research", "no", "--stakeholders", "no",
                                  env={"CAREER_CORPUS_DIR": str(folder)}))

    assert str(folder) in line


def test_odd_but_valid_quiz_answers_are_accepted(run_cli) -> None:
    run = run_cli("recommend", "--code", " YES ", "--research", "N", "--stakeholders", "false",
                  "--background", "", "--top", "100000", "--json")

    assert run.returncode == 0, run.stderr
    assert run.stdout.lstrip().startswith("{") and '"roles"' in run.stdout


# --------------------------------------------------------------------------- ask: odd questions, broken index


@pytest.mark.parametrize("question", [
    "\x1b[31mHow much does a Data\x07 Scientist earn in the UK?\x1b[0m",
    "\u202eデータサイエンティスト How much does a Data Scientist 💰 earn in the UK 🇬🇧? Зарплата في المملكة",
], ids=["control characters", "mixed scripts"])
def test_control_characters_and_mixed_scripts_are_answered_like_the_plain_question(
        run_cli, cli_index, question: str) -> None:
    run = run_cli("ask", question, "--json",
                  env={"CAREER_DATA_DIR": str(cli_index.data),
                       "CAREER_RELEVANCE_THRESHOLD": KEYWORD_THRESHOLD})

    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    got = json.loads(run.stdout)
    assert not got["declined"]
    assert got["sources"][0]["section"] == "Data Scientist / Salary range"
    assert "£50,000 – £100,000" in got["sources"][0]["text"]


def test_a_question_with_bytes_that_are_not_utf8_is_answered(cli_index, tmp_path: Path) -> None:
    env = {**os.environ, "CAREER_DATA_DIR": str(cli_index.data),
           "CAREER_RELEVANCE_THRESHOLD": KEYWORD_THRESHOLD}
    question = DS_UK.encode() + b" \xff\xfe\xc3"  # argv is bytes on POSIX: anything can arrive

    proc = subprocess.run([sys.executable, "-m", "cli", "ask", question], env=env, cwd=tmp_path,
                          capture_output=True, timeout=300)

    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr
    assert b"Data Scientist / Salary range" in proc.stdout


def test_ask_on_a_corrupted_index_is_a_one_line_error(run_cli, cli_index, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(cli_index.data, data)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database " * 500)

    line = one_line_error(run_cli("ask", DS_UK, env={"CAREER_DATA_DIR": str(data)}))

    assert "cannot be opened" in line and "ingest" in line


# --------------------------------------------------------------------------- ingest: huge file, nothing lost


def _huge_file(folder: Path, mb: int = 25) -> Path:
    """A sparse file over the 20 MB limit (no disk used)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "huge.md"
    with path.open("wb") as f:
        f.truncate(mb * 2**20)
    return path


def _chunks_indexed(summary: str) -> int:
    match = re.search(r"(\d+) chunks indexed", summary)
    assert match, summary
    return int(match.group(1))


def test_a_huge_file_alone_is_a_one_line_error(run_cli, tmp_path: Path) -> None:
    huge = _huge_file(tmp_path / "big")

    line = one_line_error(run_cli("ingest", "--quiet", huge))

    assert "huge.md" in line and "26 MB is over the 20 MB limit" in line


def test_a_huge_file_in_the_guide_folder_is_skipped_with_a_warning(run_cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    _huge_file(corpus)

    run = run_cli("ingest", "--quiet", corpus)

    assert run.returncode == 0, run.stderr
    assert f"added {CORPUS_FILES}, updated 0, unchanged 0, removed 0" in run.stdout
    assert run.stderr.strip().splitlines() == [
        f"warning: {corpus / 'huge.md'}: skipped, 26 MB is over the 20 MB limit"]


def test_failing_ingests_lose_nothing_already_indexed(run_cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    first = run_cli("ingest", "--quiet", corpus)
    assert first.returncode == 0, first.stderr
    (tmp_path / "empty").mkdir()
    bad = [  # each kind alone is a one-line error (tests/test_ingest_cli.py); here: in a row
        ("a huge file", [_huge_file(tmp_path / "big")]),
        ("bad files only", [FIXTURES / "cv.docx", FIXTURES / "binary.md", FIXTURES / "latin1.md",
                            FIXTURES / "empty.md"]),
        ("an empty folder with --reset", ["--reset", tmp_path / "empty"]),
        ("a missing path with --reset", ["--reset", tmp_path / "gone"]),
    ]
    for label, args in bad:
        run = run_cli("ingest", "--quiet", *args)
        assert run.returncode == 2, (label, run.stderr)
        one_line_error(run)

    again = run_cli("ingest", "--quiet", corpus)
    assert again.returncode == 0, again.stderr
    assert f"added 0, updated 0, unchanged {CORPUS_FILES}, removed 0" in again.stdout
    assert _chunks_indexed(again.stdout) == _chunks_indexed(first.stdout) > 0


# --------------------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from test_ui_client import app_env, ingest, start_app

    home = tmp_path_factory.mktemp("reliability-app")
    env = app_env(home / "data")
    ingest(env, home)
    server = start_app(env, home)
    yield server
    server.stop()


@pytest.mark.integration
@pytest.mark.parametrize(("question", "expected"), [
    ("   \n\t  ", "⚠ the question is empty"),
    (None, "⚠ the question must be text"),
])
def test_the_chat_turns_a_blank_question_into_one_line(app, question: object, expected: str) -> None:
    from test_ui_client import UK_QUESTION, ask, last_text

    client = app.client()
    _, (_, chat, _, result, _) = ask(client, question)

    assert result is None
    assert last_text(chat).startswith(expected) and "\n" not in last_text(chat)
    _, (_, chat, _, result, _) = ask(client, UK_QUESTION)  # the session carries on
    assert result["sources"] and len(chat) == 4


def test_a_question_of_invisible_characters_is_empty(tmp_path: Path) -> None:
    from assistant.webapp import LazyAssistant, stream_chat
    from core.settings import load_settings

    source = LazyAssistant(load_settings(), build=lambda s: _unbuilt(s))
    last = list(stream_chat(source, "\u200b\u200b\ufeff", []))[-1]

    assert last.messages[-1]["content"].startswith("⚠ the question is empty")


@pytest.mark.integration
@pytest.mark.parametrize("question", [
    "\x1b[31mWhat does a Machine Learning\x07 Engineer earn in the UK?\x1b[0m",
    "機械学習エンジニア What does a Machine Learning Engineer earn in the UK? Зарплата في المملكة",
    "\u202eWhat does a Machine Learning Engineer earn in the UK?",
    "What does a Machine Learning Engineer 💷 earn in the UK 🇬🇧?",
])
def test_the_chat_answers_control_characters_and_mixed_scripts_like_the_plain_question(
        app, question: str) -> None:
    from test_ui_client import ask, last_text

    _, (_, chat, _, result, _) = ask(app.client(), question)

    assert result is not None and not result["declined"], last_text(chat)
    assert result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
    assert "\x1b" not in chat[-2]["content"] and "\x07" not in chat[-2]["content"]


@pytest.mark.integration
def test_the_chat_declines_an_off_topic_question_in_another_script(app) -> None:
    from test_ui_client import ask, last_text

    _, (_, chat, _, result, _) = ask(app.client(), "今日の東京の天気はどうですか？")

    assert result["declined"] and "AI careers" in last_text(chat)


@pytest.mark.integration
@pytest.mark.parametrize(("answers", "expected"), [
    (("Maybe", "No", "No", "Software engineer", "", "UK"), "'Maybe'"),
    (("Yes", "No", "No", "Software engineer", "", "Mars"), "'Mars'"),
    (("Yes", "No", "No", "Astronaut", "", "UK"), "Astronaut"),
])
def test_the_quiz_refuses_an_answer_that_is_not_a_choice_in_one_line(app, answers: tuple,
                                                                     expected: str) -> None:
    from gradio_client.exceptions import AppError

    client = app.client()
    with pytest.raises(AppError) as refused:
        client.predict(*answers, api_name="/find_path")

    message = str(refused.value)
    assert expected in message and "not in the list of choices" in message and "\n" not in message
    intro, *_rest, data = client.predict("Yes", "No", "No", "Software engineer", "", "UK",
                                         api_name="/find_path")
    assert data["roles"]  # the same session still gets its cards


@pytest.mark.integration
def test_the_quiz_survives_a_huge_skills_answer_and_no_answers_at_all(app) -> None:
    client = app.client()

    *_, data = client.predict("Yes", "No", "No", "Software engineer", "python, " * 20_000, "UK",
                              api_name="/find_path")
    assert data["roles"][0]["role"] == "Machine Learning Engineer"

    intro, *_, data = client.predict(None, None, None, None, None, None, api_name="/find_path")
    assert "no answers yet" in intro and data["roles"]


def test_the_chat_says_the_index_is_corrupted_in_one_line(tmp_path: Path) -> None:
    from assistant.webapp import LazyAssistant, stream_chat
    from core.settings import load_settings

    s = load_settings(data_dir=tmp_path / "broken")
    s.chroma_path.mkdir(parents=True)
    (s.chroma_path / "chroma.sqlite3").write_bytes(b"this is not a database " * 500)
    source = LazyAssistant(s)

    last = list(stream_chat(source, DS_UK, []))[-1]

    reply = last.messages[-1]["content"]
    assert reply.startswith("⚠ ") and "\n" not in reply
    assert "cannot be opened" in reply and "career-assistant ingest" in reply
    status = source.status_line()
    assert "index" in status and "ingest" in status  # the status line says what to do too


def _unbuilt(s):  # the question is refused before the assistant is needed
    from assistant.chain import Assistant

    return Assistant(s, search=None, chat_model=None, roles={}, guide_text="")  # type: ignore[arg-type]


@pytest.mark.parametrize("corpus", ["missing", "empty"])
def test_the_app_without_the_guide_folder_says_so_in_one_line(keyword_index, tmp_path: Path,
                                                               corpus: str) -> None:
    """An index but no guide folder (say, an app process deployed without corpus/): the chat and
    the quiz each give one line naming the folder."""
    from assistant.roles import load_roles
    from assistant.webapp import LazyAssistant, error_html, stream_chat
    from core.errors import BadInput
    from core.settings import load_settings

    folder = tmp_path / "no-guide"
    if corpus == "empty":
        folder.mkdir()
    s = load_settings(corpus_dir=folder, relevance_threshold=float(KEYWORD_THRESHOLD))

    reply = list(stream_chat(LazyAssistant(s), DS_UK, []))[-1].messages[-1]["content"]

    assert reply.startswith("⚠ ") and "\n" not in reply and str(folder) in reply
    with pytest.raises(BadInput) as err:  # what ui.find_path catches and shows with error_html
        load_roles(folder)
    assert str(folder) in error_html(str(err.value)) and "\n" not in str(err.value)
