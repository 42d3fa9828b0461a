"""Frozen entry point of the bundle's executables; what it does depends on its name.

* ``digitpad COMMAND ...``: the command line; with no command it opens the app.
* ``digitpad-gui [IMAGE]``: the app (a windowed executable on Windows; a link
  to ``digitpad`` elsewhere, where console and windowed are the same thing).
* ``digitpad --smoke OUT.json`` or ``digitpad-gui --smoke OUT.json [IMAGE]``:
  the GUI smoke check, :mod:`digitpad.gui.selfcheck.smoke`.
"""

import multiprocessing
import os
import sys

GUI_NAME = "digitpad-gui"


def main() -> int:
    args = sys.argv[1:]
    name = os.path.basename(sys.argv[0] if sys.argv else "").lower()
    if name in (GUI_NAME, GUI_NAME + ".exe"):
        from digitpad.gui.app import main as gui_main  # handles --smoke too

        return gui_main(args)
    from digitpad.cli import main as cli_main  # no command (or --smoke): the app

    return cli_main(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not rerun main()
    sys.exit(main())
