"""Plain-text rendering of an evaluation: accuracy, confusion matrix, per-class metrics."""

from __future__ import annotations

from typing import Any

from digitpad.metrics import Evaluation


def format_evaluation(evaluation: Evaluation, *, title: str = "") -> str:
    """A report fit for a terminal: accuracy line, confusion matrix, per-class table."""
    lines = []
    if title:
        lines.append(title)
    lines.append(
        f"accuracy: {evaluation.accuracy:.2%} ({evaluation.count - evaluation.errors}/{evaluation.count}, "
        f"{evaluation.errors} errors)"
    )
    lines.append("")
    lines.append("confusion matrix (rows: true digit, columns: predicted)")
    lines.append("      " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(evaluation.confusion):
        lines.append(f"{d:>6}" + "".join(f"{int(v):>6}" for v in row))
    lines.append("")
    lines.append(f"{'digit':>6}{'precision':>11}{'recall':>9}{'f1':>9}{'support':>9}")
    for m in evaluation.per_class:
        lines.append(f"{m.digit:>6}{m.precision:>11.4f}{m.recall:>9.4f}{m.f1:>9.4f}{m.support:>9}")
    return "\n".join(lines)


def evaluation_as_dict(evaluation: Evaluation) -> dict[str, Any]:
    """Plain values for ``--json``."""
    return {
        "accuracy": evaluation.accuracy,
        "count": evaluation.count,
        "errors": evaluation.errors,
        "confusion": evaluation.confusion.tolist(),
        "per_class": evaluation.per_class_dict(),
        "misclassified": evaluation.misclassified.tolist(),
    }
