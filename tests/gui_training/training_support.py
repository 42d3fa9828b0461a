"""Constants shared by the training GUI tests (a uniquely named module: every
test folder has its own conftest.py, so tests must not import ``conftest``)."""

RUN_TIMEOUT_MS = 120_000  # a tiny run, on a 2-core machine shared with other work
MODEL_TIMEOUT_MS = 30_000
