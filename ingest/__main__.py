"""`python -m ingest [PATH ...] [--reset]`: the same as `career-assistant ingest`."""

import sys

from assistant.cli import main

sys.exit(main(["ingest", *sys.argv[1:]]))
