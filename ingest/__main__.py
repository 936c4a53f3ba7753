"""`python -m ingest [PATH ...] [--library PATH ...] [--reset] [--quiet]`: the same as
`career-assistant ingest`, without loading the assistant."""

import argparse
import logging
import sys

from core.errors import run_reporting_errors
from core.settings import apply_offline_env, load_settings, quiet_url_loggers
from ingest import cli


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index guide files and a course library.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    cli.add_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    quiet_url_loggers()
    apply_offline_env()
    return run_reporting_errors(lambda: cli.run(args, load_settings()))


sys.exit(main())
