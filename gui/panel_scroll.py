"""The scroll area each panel sits in."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QScrollArea, QWidget

__all__ = ["PanelScrollArea"]


class PanelScrollArea(QScrollArea):
    """Holds one panel: fills the viewport, and scrolls only below the panel's minimum size.

    QScrollArea's own resizing gives a panel with word-wrapped labels its
    *preferred* height for the width (heightForWidth), which scrolls most
    panels on a 700 px high screen; here the floor is the minimum size.
    """

    def __init__(self, panel: QWidget):
        super().__init__()
        self.setObjectName("panelScroll")
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidgetResizable(False)
        self.setWidget(panel)
        panel.installEventFilter(self)
        self._fit()

    def _fit(self) -> None:
        panel = self.widget()
        if panel is None:
            return
        low = panel.minimumSizeHint().expandedTo(panel.minimumSize())
        view = self.viewport().size()
        panel.resize(max(view.width(), low.width()), max(view.height(), low.height()))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return super().viewportEvent(event)
