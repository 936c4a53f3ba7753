"""`career-assistant ingest` end to end, in subprocesses: counts, one-line errors, SIGKILL recovery."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ingest.index

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = ["guide.md", "career-paths.mdx", "notes.txt", "roles.html", "guide.pdf"]
BAD = ["latin1.md", "binary.md", "empty.md", "cv.docx"]
SUMMARY = re.compile(r"added (\d+), updated (\d+), unchanged (\d+), removed (\d+) files")

# Prints {chunk id: [path, document, metadata]} of the index in CAREER_DATA_DIR. It runs in its
# own process so no Chroma client of the test process caches a folder another process writes.
READ_INDEX = """
import json
from core.settings import load_settings
from core.store import make_chroma_client
s = load_settings()
col = make_chroma_client(s).get_collection(s.collection)
got = col.get(include=["documents", "metadatas"])
print(json.dumps({"model": col.metadata.get("embedding_model"),
                  "chunks": [[i, d, m] for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]}))
"""

# Runs `career-assistant ingest --quiet PATH...` and SIGKILLs itself right after the Nth file's
# chunks are written (for an updated file: before its old chunks are deleted). One file per
# write, so the kill can land between any two files.
KILL_AFTER_WRITES = """
import os, signal, sys
import ingest.index
from cli import main

limit = int(sys.argv[1])
real_write = ingest.index._write_files
written = 0

def write_then_die(collection, files):
    global written
    real_write(collection, files)
    written += len(files)
    if written >= limit:
        os.kill(os.getpid(), signal.SIGKILL)

ingest.index.WRITE_BATCH = 1
ingest.index._write_files = write_then_die
sys.exit(main(["ingest", "--quiet", *sys.argv[2:]]))
"""


def _counts(stdout: str) -> tuple[int, int, int, int]:
    match = SUMMARY.search(stdout)
    assert match, stdout
    return tuple(int(n) for n in match.groups())


def _one_line_error(run) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _read_index(data_dir: Path) -> dict:
    env = {**os.environ, "CAREER_DATA_DIR": str(data_dir)}
    proc = subprocess.run([sys.executable, "-c", READ_INDEX], env=env, cwd=data_dir.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _chunk_state(index: dict) -> dict[str, tuple]:
    """What a clean ingest must reproduce: every chunk's file, text and metadata, by id."""
    state: dict[str, tuple] = {}
    for chunk_id, document, meta in index["chunks"]:
        assert chunk_id not in state
        state[chunk_id] = (meta["path"], document, json.dumps(meta, sort_keys=True))
    return state


def _files_in(index: dict) -> dict[str, int]:
    files: dict[str, int] = {}
    for _, _, meta in index["chunks"]:
        files[Path(meta["path"]).name] = files.get(Path(meta["path"]).name, 0) + 1
    return files


def _kill_after_writes(limit: int, *paths: Path, cwd: Path) -> subprocess.CompletedProcess:
    assert hasattr(ingest.index, "_write_files"), "the crash hook needs ingest.index._write_files"
    return subprocess.run([sys.executable, "-c", KILL_AFTER_WRITES, str(limit), *map(str, paths)],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in [*GOOD, *BAD]:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


# --- counts -------------------------------------------------------------------------------------


def test_ingest_prints_counts_and_a_second_run_changes_nothing(run_cli, project_corpus):
    first = run_cli("ingest", project_corpus)
    assert first.returncode == 0, first.stderr
    assert "added 10, updated 0, unchanged 0, removed 0" in first.stdout
    assert "Traceback" not in first.stderr

    second = run_cli("ingest", project_corpus)
    assert second.returncode == 0, second.stderr
    assert "added 0, updated 0, unchanged 10, removed 0" in second.stdout
    assert "embedded 0 chunks" in second.stdout
    assert "embedding" not in second.stderr   # no progress bar: nothing to embed


def test_ingest_without_paths_indexes_the_configured_corpus(run_cli, tmp_path):
    corpus = tmp_path / "my-corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "guide.md", corpus / "guide.md")
    run = run_cli("ingest", env={"CAREER_CORPUS_DIR": str(corpus)})
    assert run.returncode == 0, run.stderr
    assert "added 1, updated 0, unchanged 0, removed 0" in run.stdout
    assert "2 chunks indexed" in run.stdout


def test_python_dash_m_ingest_is_the_same_command(tmp_path, project_corpus):
    run = subprocess.run([sys.executable, "-m", "ingest", "--quiet", str(project_corpus)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "added 10, updated 0, unchanged 0, removed 0" in run.stdout


# --- bad input: one line, no traceback ----------------------------------------------------------


def test_missing_path_is_a_one_line_error(run_cli, tmp_path):
    run = run_cli("ingest", tmp_path / "no-such-folder")
    assert run.returncode == 2
    line = _one_line_error(run)
    assert "no-such-folder" in line and "no such file or folder" in line
    assert run.stdout == ""


def test_empty_folder_is_a_one_line_error(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    line = _one_line_error(run_cli("ingest", tmp_path / "empty"))
    assert "no supported files" in line and "empty" in line


def test_unsupported_file_is_a_one_line_error(run_cli):
    line = _one_line_error(run_cli("ingest", FIXTURES / "cv.docx"))
    assert "cv.docx" in line and "unsupported file type .docx" in line


@pytest.mark.parametrize("name, words", [("latin1.md", "not UTF-8"), ("binary.md", "binary"),
                                         ("empty.md", "empty")])
def test_unreadable_file_alone_is_a_one_line_error(run_cli, name, words):
    line = _one_line_error(run_cli("ingest", FIXTURES / name))
    assert name in line and words in line


def test_mixed_folder_indexes_good_files_and_warns_once_per_bad_file(run_cli, tmp_path, settings):
    folder = _mixed_folder(tmp_path)
    run = run_cli("ingest", folder)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "added 5, updated 0, unchanged 0, removed 0" in run.stdout
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(BAD), run.stderr
    for name in BAD:
        assert sum(name in w for w in warnings) == 1, (name, warnings)

    indexed = _files_in(_read_index(settings.data_dir))
    assert set(indexed) == set(GOOD)
    assert indexed["guide.pdf"] == 2          # one chunk per page

    again = run_cli("ingest", folder)
    assert again.returncode == 0
    assert "added 0, updated 0, unchanged 5, removed 0" in again.stdout
    assert len([ln for ln in again.stderr.splitlines() if ln.startswith("warning: ")]) == len(BAD)


def test_missing_path_next_to_a_good_one_is_a_warning(run_cli, tmp_path):
    run = run_cli("ingest", tmp_path / "gone", FIXTURES / "guide.md")
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == f"warning: {tmp_path / 'gone'}: no such file or folder"
    assert "added 1," in run.stdout


def test_invalid_setting_is_a_one_line_error(run_cli, project_corpus):
    line = _one_line_error(run_cli("ingest", project_corpus, env={"CAREER_EMBEDDING_BACKEND": "bogus"}))
    assert "CAREER_EMBEDDING_BACKEND" in line and "bogus" in line


def test_index_of_another_model_is_a_one_line_error_naming_both(run_cli, project_corpus):
    assert run_cli("ingest", "--quiet", project_corpus).returncode == 0
    # Refused before the real model would even load.
    line = _one_line_error(run_cli("ingest", project_corpus, env={"CAREER_EMBEDDING_BACKEND": "local"}))
    assert "'keyword-fake'" in line and "all-MiniLM-L6-v2" in line and "--reset" in line


# --- interrupted ingest -------------------------------------------------------------------------


def test_ingest_killed_between_files_recovers_to_a_clean_index(run_cli, tmp_path, project_corpus):
    corpus = tmp_path / "corpus"
    shutil.copytree(project_corpus, corpus)
    killed = _kill_after_writes(4, corpus, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    data_dir = Path(os.environ["CAREER_DATA_DIR"])
    assert len(_files_in(_read_index(data_dir))) == 4    # the kill landed part-way through

    rerun = run_cli("ingest", "--quiet", corpus)
    assert rerun.returncode == 0, rerun.stderr
    assert _counts(rerun.stdout) == (6, 0, 4, 0)

    clean_dir = tmp_path / "clean-data"
    assert run_cli("ingest", "--quiet", corpus, env={"CAREER_DATA_DIR": str(clean_dir)}).returncode == 0
    assert _chunk_state(_read_index(data_dir)) == _chunk_state(_read_index(clean_dir))


def test_update_killed_before_old_chunks_are_deleted_recovers_to_a_clean_index(run_cli, tmp_path,
                                                                              project_corpus):
    corpus = tmp_path / "corpus"
    shutil.copytree(project_corpus, corpus)
    assert run_cli("ingest", "--quiet", corpus).returncode == 0
    scientist = corpus / "data-scientist.md"
    text = scientist.read_text(encoding="utf-8").replace("£50,000", "£51,000")
    scientist.write_text(text[: text.index("## How it differs from ML Engineer")], encoding="utf-8")
    overview = corpus / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")

    killed = _kill_after_writes(1, corpus, cwd=tmp_path)   # data-scientist.md is written first
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    data_dir = Path(os.environ["CAREER_DATA_DIR"])
    half = _read_index(data_dir)
    hashes = {m["file_hash"] for _, _, m in half["chunks"] if m["path"] == str(scientist.resolve())}
    assert len(hashes) == 2          # old and new versions side by side, as a crash leaves them

    rerun = run_cli("ingest", "--quiet", corpus)
    assert rerun.returncode == 0, rerun.stderr
    assert _counts(rerun.stdout) == (0, 2, 8, 0)

    clean_dir = tmp_path / "clean-data"
    assert run_cli("ingest", "--quiet", corpus, env={"CAREER_DATA_DIR": str(clean_dir)}).returncode == 0
    assert _chunk_state(_read_index(data_dir)) == _chunk_state(_read_index(clean_dir))


def _wait_for_progress(stderr_file: Path, proc: subprocess.Popen, done, timeout: float) -> bool:
    """Poll the progress bar on stderr until done(current, total) or the process ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        bars = re.findall(r"embedding:.*?(\d+)/(\d+)", stderr_file.read_text(errors="replace"))
        if bars and done(*map(int, bars[-1])):
            return True
        time.sleep(0.05)
    return False


def _start_ingest(args: list[str], env: dict, cwd: Path, stderr_file: Path) -> subprocess.Popen:
    with open(stderr_file, "w") as err:
        return subprocess.Popen([sys.executable, "-m", "cli", "ingest", *args], env=env,
                                cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True)


@pytest.mark.integration
def test_sigkilled_real_ingest_reruns_to_exactly_the_clean_index(run_cli, tmp_path, shared_corpus):
    # 12 of the published blog posts (~410 chunks, two embedding batches, ~25 s on 2 idle cores):
    # long enough to kill mid-embedding and mid-writing, short enough for a test.
    subset = tmp_path / "blog"
    subset.mkdir()
    posts = sorted((shared_corpus / "blog" / "en").glob("*.mdx"))[:12]
    for post in posts:
        shutil.copy(post, subset / post.name)
    data_dir = tmp_path / "killed-data"
    env = {**os.environ, "CAREER_DATA_DIR": str(data_dir), "CAREER_EMBEDDING_BACKEND": "local"}

    # 1. SIGKILL once the first embedding batch is done.
    proc = _start_ingest([str(subset)], env, tmp_path, tmp_path / "run1.err")
    started = _wait_for_progress(tmp_path / "run1.err", proc, lambda n, total: n > 0, timeout=240)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    assert started, (tmp_path / "run1.err").read_text()
    assert proc.returncode == -signal.SIGKILL
    assert not SUMMARY.search(out)

    # 2. Again, this time as soon as all chunks are embedded, while files are being written.
    proc = _start_ingest([str(subset)], env, tmp_path, tmp_path / "run2.err")
    _wait_for_progress(tmp_path / "run2.err", proc, lambda n, total: n == total, timeout=240)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode in (-signal.SIGKILL, 0), (tmp_path / "run2.err").read_text()

    # 3. Run to completion.
    final = run_cli("ingest", "--quiet", subset, env={"CAREER_DATA_DIR": str(data_dir),
                                                      "CAREER_EMBEDDING_BACKEND": "local"})
    assert final.returncode == 0, final.stderr
    added, updated, unchanged, removed = _counts(final.stdout)
    assert added + updated + unchanged == len(posts) and removed == 0

    clean_dir = tmp_path / "clean-data"   # chunk ids do not depend on the embedding model
    clean = run_cli("ingest", "--quiet", subset, env={"CAREER_DATA_DIR": str(clean_dir)})
    assert clean.returncode == 0, clean.stderr

    recovered, reference = _read_index(data_dir), _read_index(clean_dir)
    assert recovered["model"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    assert len(recovered["chunks"]) == len(reference["chunks"]) > 256
    assert _files_in(recovered) == _files_in(reference)
    assert len(_files_in(recovered)) == len(posts)
    assert _chunk_state(recovered) == _chunk_state(reference)
