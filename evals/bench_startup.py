"""Bench part: start-up time and peak RSS of a fresh process that builds the web UI and the
assistant and answers once (`python -m evals.bench --probe`)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from core.settings import Settings

STARTUP_QUESTION = "Why do data scientists need SQL?"


def bench_startup(settings: Settings) -> dict:
    """A fresh process builds the assistant (and the web UI when it can) and answers once."""
    from evals.run import INDEX_FOLDER

    overrides = {
        "data_dir": str(settings.data_dir),
        "corpus_dir": str(settings.corpus_dir),
        "chroma_dir": str(Path(settings.data_dir) / INDEX_FOLDER / "ours"),
        "embedding_backend": settings.embedding_backend,
        "llm_backend": settings.llm_backend,
        "local_model": settings.local_model,
        "llm_threads": settings.llm_threads,
        "llm_max_tokens": settings.llm_max_tokens,
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "evals.bench", "--probe", json.dumps(overrides)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=os.getcwd(),
    )
    wall = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"the start-up probe failed (exit {proc.returncode}): {tail[:300]}"}
    probe = json.loads(lines[-1])
    return {"wall_s": round(wall, 2), **probe}


def probe_main(argv: Sequence[str]) -> int:
    """The start-up probe run in a fresh process (see bench_startup)."""
    t0 = time.perf_counter()
    overrides = json.loads(argv[1]) if len(argv) > 1 else {}
    from core.settings import apply_offline_env, load_settings

    apply_offline_env()
    from assistant.chain import build_assistant

    imported = time.perf_counter()
    s = load_settings(**overrides)
    ui_s: float | str
    t = time.perf_counter()
    try:
        import ui  # gradio: a large share of the app's start-up and memory

        ui.build_ui(s)
        ui_s = round(time.perf_counter() - t, 3)
    except Exception as exc:  # the UI is measured when it can be built; the assistant always
        ui_s = f"not measured ({type(exc).__name__}: {exc})"[:200]
    t = time.perf_counter()
    assistant = build_assistant(s)
    built = time.perf_counter() - t
    t = time.perf_counter()
    result = assistant.answer(STARTUP_QUESTION)
    answered = time.perf_counter() - t
    print(
        json.dumps(
            {
                "import_s": round(imported - t0, 3),
                "import_and_build_ui_s": ui_s,
                "build_assistant_s": round(built, 3),
                "first_answer_s": round(answered, 3),
                "first_answer_mode": result.mode,
                "in_process_total_s": round(time.perf_counter() - t0, 3),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )
    return 0


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM, not getrusage: after fork + exec, Linux carries the parent's ru_maxrss over into
    the child, so a probe started by a 3 GB benchmark would report 3 GB.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
