"""Typed errors raised by the core; each carries one clear, user-facing line."""


class DigitPadError(Exception):
    """Base class: ``str(error)`` is a message fit to show a user as is."""


class ImageLoadError(DigitPadError):
    """An image file could not be read (missing, empty, truncated, not an image, too large)."""


class CheckpointError(DigitPadError):
    """A weights file is missing, corrupt, hostile or does not fit its model."""


class DataError(DigitPadError):
    """The MNIST data could not be found, downloaded or read."""


class TrainingError(DigitPadError):
    """Training could not start or continue (bad settings, unusable device)."""


class CheckpointSaveError(CheckpointError):
    """Weights could not be written: ``folder`` and ``cause`` (e.g. "no space left on device")."""

    def __init__(self, message: str, *, folder: str = "", cause: str = "", errno: int | None = None) -> None:
        super().__init__(message)
        self.folder = folder
        self.cause = cause
        self.errno = errno
