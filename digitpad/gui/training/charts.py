"""Live loss and accuracy curves of a training run (GUI thread only).

Two ``QChartView``s side by side.  Points are appended to long-lived
``QLineSeries`` as events arrive; nothing is rebuilt, and the y axes only
grow, so each update costs one point and (rarely) one range change.  The x
axis is training progress in epochs (``steps done / steps per epoch``).
"""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class _Chart:
    """One chart: a train series (dense) and a test series (one point per epoch)."""

    def __init__(self, title: str, y_title: str, y_format: str, y_tick: float, dark: bool) -> None:
        self.chart = QChart()
        self.chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setTitle(title)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.train = QLineSeries()
        self.train.setName("train")
        self.test = QLineSeries()
        self.test.setName("test")
        self.test.setPointsVisible(True)
        pen = QPen(QColor("#e0812b"))
        pen.setWidthF(2.0)
        self.test.setPen(pen)
        self.chart.addSeries(self.train)
        self.chart.addSeries(self.test)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("epoch")
        self.x_axis.setLabelFormat("%.0f")
        self.y_axis = QValueAxis()
        if y_title:
            self.y_axis.setTitleText(y_title)
        self.y_axis.setLabelFormat(y_format)
        self.y_axis.setTickType(QValueAxis.TickType.TicksDynamic)  # round tick values
        self.y_axis.setTickAnchor(0.0)
        self.y_axis.setTickInterval(y_tick)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.train, self.test):
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(240, 180)
        self.low = float("inf")
        self.high = float("-inf")

    def reset(self, epochs: int, low: float, high: float) -> None:
        self.train.clear()
        self.test.clear()
        self.x_axis.setRange(0, max(1, epochs))
        self.x_axis.setTickCount(min(max(1, epochs), 10) + 1)
        self.low, self.high = low, high
        self.y_axis.setRange(low, high)
        self._ticks(high - low)

    def _ticks(self, span: float) -> None:
        steps = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0)
        self.y_axis.setTickInterval(next((t for t in steps if span / t <= 6), span / 5))

    def add(
        self, series: QLineSeries, x: float, y: float, *, floor: float | None = None, ceiling: float | None = None
    ) -> None:
        series.append(x, y)
        if self.low <= y <= self.high:
            return  # grow only: a range change repaints the whole chart
        self.low, self.high = min(self.low, y), max(self.high, y)
        pad = 0.05 * (self.high - self.low or 1.0)
        low, high = self.low - pad, self.high + pad
        if floor is not None:
            low = max(low, floor)
        if ceiling is not None:
            high = min(high, ceiling)
        self.y_axis.setRange(low, high)
        self._ticks(high - low)


class TrainingCharts(QWidget):
    """Loss (left) and accuracy in percent (right) as training goes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark = _is_dark(self.palette())
        self.loss = _Chart("Loss (cross-entropy)", "", "%.1f", 0.1, dark)
        self.accuracy = _Chart("Accuracy (%)", "", "%.0f", 2.0, dark)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss.view)
        layout.addWidget(self.accuracy.view)
        self.reset(1)

    def reset(self, epochs: int) -> None:
        """Empty both charts for a run of ``epochs`` epochs."""
        self.loss.reset(epochs, 0.0, 0.5)
        self.accuracy.reset(epochs, 90.0, 100.0)

    def add_step(self, epochs_done: float, loss: float, accuracy: float) -> None:
        """One training point: x in epochs, loss, accuracy as a fraction."""
        self.loss.add(self.loss.train, epochs_done, loss, floor=0.0)
        self.accuracy.add(self.accuracy.train, epochs_done, 100.0 * accuracy, floor=0.0, ceiling=100.0)

    def add_epoch(self, epoch: int, test_loss: float, test_accuracy: float) -> None:
        """The test set's loss and accuracy after ``epoch``."""
        self.loss.add(self.loss.test, float(epoch), test_loss, floor=0.0)
        self.accuracy.add(self.accuracy.test, float(epoch), 100.0 * test_accuracy, floor=0.0, ceiling=100.0)

    def point_counts(self) -> tuple[int, int]:
        """(train points, test points) in the loss chart; for tests."""
        return self.loss.train.count(), self.loss.test.count()
