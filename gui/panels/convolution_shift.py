"""The Convolution panel's Translation invariance tab: the input shifted k pixels, through the first filter and pooling."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from engine import conv
from engine.i18n import _

from ..widgets.conv_shift import ShiftView
from .convolution_text import no_output, shift_html

__all__ = ["SHIFT_TAB", "ShiftTab"]

#: Index of the Translation invariance tab in the panel's tabs.
SHIFT_TAB = 4


class ShiftTab:
    """Mixin of :class:`~gui.panels.convolution.ConvolutionPanel`: builds and recomputes the translation demo.

    Uses the panel's ``model``, ``tabs`` and ``_shift_key``; ``_open_tab`` is connected to the model here.
    """

    def _build_shift_tab(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        head = QHBoxLayout()
        about = QLabel(_("Shift the input to the right by k pixels: the feature map moves with it, max pooling absorbs small shifts."))
        about.setWordWrap(True)
        head.addWidget(about, 1)
        head.addWidget(QLabel(_("Shift k")))
        self.shift_slider = QSlider(Qt.Orientation.Horizontal)
        self.shift_slider.setRange(0, 4)
        self.shift_slider.setValue(self.model.shift)
        self.shift_slider.setFixedWidth(140)
        self.shift_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.shift_value = QLabel()
        head.addWidget(self.shift_slider)
        head.addWidget(self.shift_value)
        col.addLayout(head)
        self.shift_view = ShiftView()
        col.addWidget(self.shift_view, 1)
        self.shift_info = QLabel()
        self.shift_info.setWordWrap(True)
        self.shift_info.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.shift_info)
        self.shift_slider.valueChanged.connect(self.model.set_shift)
        self.model.shiftChanged.connect(self._show_shift)
        self.model.tabRequested.connect(self._open_tab)
        return w

    def _sync_shift(self) -> None:
        """Recompute the translation demo: the input and the first filter, shifted k pixels to the right."""
        m = self.model
        k = self.shift_slider.value()
        self.shift_value.setText(_("{k} px").format(k=k))
        if self.tabs.currentIndex() != SHIFT_TAB and self.shift_view.demo is not None and self._shift_key == self._current_shift_key():
            return
        self._shift_key = self._current_shift_key()
        if not m.drawn:
            self.shift_view.set_demo(None, _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT))
            self.shift_info.setText("")
            return
        kind = m.pool_kind if m.pool_kind in ("max", "avg") else "max"
        try:
            demo = conv.shift_demo(m.input, m.weights[:1], k, (kind, m.pool_size, m.pool_stride))
        except ValueError as exc:
            self.shift_view.set_demo(None, no_output(str(exc)))
            self.shift_info.setText("")
            return
        self.shift_view.set_demo(demo)
        self.shift_info.setText(shift_html(demo))

    def _show_shift(self, k: int) -> None:
        with QSignalBlocker(self.shift_slider):
            self.shift_slider.setValue(k)
        self._sync_shift()

    def _current_shift_key(self) -> tuple:
        m = self.model
        return (self.shift_slider.value(), m.input.tobytes(), m.weights[:1].tobytes(), m.pool_kind, m.pool_size, m.pool_stride, m.n)
