"""DigitPad: draw a digit, see what a neural network reads.

Everything at the package root is Qt-free; all Qt code lives in ``digitpad.gui``.
"""

__version__ = "0.1.0"
