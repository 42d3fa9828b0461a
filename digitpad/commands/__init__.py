"""One module per ``digitpad`` subcommand (``add_parser`` / ``run``), imported only when used."""

from __future__ import annotations

import shlex
import sys


def command_line(name: str) -> str | None:
    """This process's command line as ``digitpad NAME ...`` (shell-quoted) when it runs the ``NAME``
    subcommand; None when called otherwise (tests, a script), so nothing unrelated is recorded."""
    if sys.argv[1:2] != [name]:
        return None
    return "digitpad " + " ".join(shlex.quote(a) for a in sys.argv[1:])
