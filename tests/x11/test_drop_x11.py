"""Drag and drop against a real X server: a file dragged from another program onto DigitPad.

Runs only where an X server and ``xdotool`` are at hand (``DIGITPAD_X11_DISPLAY=:91``,
e.g. ``Xvfb :91 -screen 0 1280x1000x24 &``); CI, headless, skips it.  The pytest-qt
test in ``tests/gui/test_image_files.py`` covers the same path with synthetic events.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digitpad.resources import resource_path

DISPLAY = os.environ.get("DIGITPAD_X11_DISPLAY", "")
pytestmark = pytest.mark.skipif(
    not DISPLAY or shutil.which("xdotool") is None, reason="needs DIGITPAD_X11_DISPLAY (an X server) and xdotool"
)
REPO = Path(__file__).resolve().parents[2]
APPS = Path(__file__).with_name("drop_apps.py")


def _lines(proc: subprocess.Popen) -> queue.Queue:
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line.strip()) for line in proc.stdout], daemon=True).start()
    return out


def _expect(out: queue.Queue, prefix: str, timeout: float) -> str:
    while True:
        line = out.get(timeout=timeout)  # queue.Empty fails the test
        if line.startswith(prefix):
            return line


def _xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, env=dict(os.environ, DISPLAY=DISPLAY), timeout=10)


def test_a_file_dropped_from_another_program_is_recognised(tmp_path):
    env = dict(os.environ, DISPLAY=DISPLAY, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    env.pop("QT_SCALE_FACTOR", None)
    digit = resource_path("samples", "digit-7.png")
    target = subprocess.Popen(
        [sys.executable, str(APPS), "target", str(tmp_path / "digitpad.ini")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    source = subprocess.Popen(
        [sys.executable, str(APPS), "source", str(digit), "950", "100"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        to_target, to_source = _lines(target), _lines(source)
        _, x, y = _expect(to_target, "READY", 90).split()
        _expect(to_source, "SHOWN", 30)
        _xdotool("mousemove", "1050", "200", "mousedown", "1")
        for i in range(1, 21):  # a real drag moves: XDND enters, positions, then drops
            fx = 1050 + (int(x) - 1050) * i / 20
            fy = 200 + (int(y) - 200) * i / 20
            _xdotool("mousemove", str(int(fx)), str(int(fy)), "sleep", "0.05")
        _xdotool("mouseup", "1")
        assert _expect(to_source, "DROPPED", 30) == "DROPPED CopyAction"
        assert _expect(to_target, "OPENED", 60) == "OPENED 7"
    finally:
        for proc in (source, target):
            proc.terminate()
            proc.wait(timeout=30)
