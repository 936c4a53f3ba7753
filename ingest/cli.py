"""The `ingest` command, shared by `career-assistant ingest` and `python -m ingest`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.embeddings import make_embeddings
from core.errors import one_line
from core.settings import Settings
from core.store import make_chroma_client, reset_local_folder
from ingest.index import ingest_paths


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path,
                   help="guide files or folders (default: the corpus folder, unless only --library is given)")
    p.add_argument("--library", nargs="+", type=Path, action="extend", default=[], metavar="PATH",
                   help="course-library files or folders: lessons the learning plans cite "
                        "(never used to answer career questions)")
    p.add_argument("--reset", action="store_true",
                   help="rebuild the index from scratch (the guide too: re-add the library in the same command)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace, s: Settings) -> int:
    # `ingest --library X` adds a library without re-reading the guide; a reset empties the
    # whole index, so it always takes the guide back in.
    paths = args.paths or ([] if args.library and not args.reset else [s.corpus_dir])
    if args.reset:
        note = reset_local_folder(s)
        if note:
            print(f"warning: {note}", file=sys.stderr)
    report = ingest_paths(paths, client=make_chroma_client(s), settings=s,
                          embeddings=make_embeddings(s), reset=args.reset, progress=not args.quiet,
                          library=args.library)
    for problem in report.problems:
        print(f"warning: {one_line(problem)}", file=sys.stderr)
    print(report.summary())
    return 0
