"""Puts "your handwriting" into a main window: the correction bar, My samples, Personalise.

GUI thread only.  The window calls :func:`install` once and
:meth:`PersonalFeatures.shutdown` on close; everything else is wired here so
the window's own module stays small.
"""

from __future__ import annotations

from typing import Any

from digitpad.gui.pad.correction_bar import CorrectionBar
from digitpad.gui.samples.corrections import CorrectionController
from digitpad.gui.samples.personal import PersonalSamples
from digitpad.gui.samples.personalize_controller import PersonalizeController


class PersonalFeatures:
    def __init__(self, window: Any) -> None:
        self.samples = PersonalSamples(parent=window)
        self.samples.failed.connect(window.show_error)
        self.samples.recovered.connect(window.show_error)
        self.bar = CorrectionBar()
        panel_layout = window.result_panel.layout()
        panel_layout.insertWidget(panel_layout.count() - 1, self.bar)  # under the result, above the stretch
        self.corrections = CorrectionController(window, self.bar, self.samples)
        self.personalize = PersonalizeController(window, self.samples, window.settings.qsettings)
        self.personalize.install(window.model_menu)
        self.corrections.sample_saved.connect(self.personalize.on_sample_saved)

    def shutdown(self) -> None:
        self.personalize.shutdown()
        if self.personalize.samples_window is not None:
            self.personalize.samples_window.close()
        self.samples.close()


def install(window: Any) -> PersonalFeatures:
    return PersonalFeatures(window)
