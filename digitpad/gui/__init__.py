"""DigitPad's desktop shell: every Qt import in DigitPad lives in this package.

The core (``digitpad.*`` outside this package) never imports Qt; widgets reach
torch only through ``digitpad.predictor``, and only from the inference worker's
thread.
"""

from digitpad.gui import _none_refcount

_none_refcount.guard()  # before any widget code runs; see the module for why
