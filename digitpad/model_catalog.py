"""The model catalogue without torch: names, one-line descriptions, parameter counts.

The training dialog and ``digitpad train --list-models`` read this; only
:mod:`digitpad.models` (which imports torch) builds the networks.  A test
checks that both list the same models and that the counts are the built
networks' own.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "digitpad"


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    description: str
    parameters: int  # trainable parameters with the default constructor arguments


CATALOGUE: dict[str, CatalogEntry] = {
    entry.name: entry
    for entry in (
        CatalogEntry("linear", "Logistic regression, 784 -> 10 (about 92%).", 7_850),
        CatalogEntry("mlp", "Fully connected 784-500-100-10 (about 98%).", 443_610),
        CatalogEntry(
            "cnn", "pytorch/examples tutorial CNN: conv16, conv32, fc128, dropout (about 99.2-99.5%).", 596_042
        ),
        CatalogEntry("bncnn", "BatchNorm CNN: conv 5/10/20/40, fc 200-500 (about 99.4%).", 508_755),
        CatalogEntry("digitpad", "DigitPad default: compact BatchNorm conv net with global pooling (99.6%+).", 136_954),
        CatalogEntry(
            "digitpad-ensemble",
            "Two DigitPad nets trained together, their logits averaged (twice the time; "
            "'digitpad ensemble' joins nets trained apart instead).",
            273_908,
        ),
    )
}


def catalogue_names(default_first: bool = False) -> list[str]:
    """The catalogue's model names in display order (the default first when asked)."""
    names = list(CATALOGUE)
    if default_first:
        names.remove(DEFAULT_MODEL)
        names.insert(0, DEFAULT_MODEL)
    return names


def entry(name: str) -> CatalogEntry:
    """The catalogue entry of ``name``; ``ValueError`` for an unknown model."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(CATALOGUE)}") from None
