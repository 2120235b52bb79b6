"""Every filter drawn as its stack of per-channel kernels; click one to pick it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.i18n import _
from engine.conv import fmt, value_colours

__all__ = ["ConvKernelStacks"]

_CHANNEL_TINT = {0: QColor(220, 50, 50), 1: QColor(40, 160, 60), 2: QColor(50, 90, 220)}


class ConvKernelStacks(QWidget):
    """Filters (C_out, C_in, f, f) side by side; each is its C_in kernels stacked with an offset,
    the front one (channel 0) showing its numbers. ``filterClicked(k)`` when one is clicked."""

    filterClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._w = np.zeros((0, 0, 0, 0))
        self._bias = np.zeros(0)
        self._names: list[str] = []
        self.selected = 0
        self._rects: list[QRectF] = []
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_filters(self, weights: np.ndarray, bias: np.ndarray, names: list[str], selected: int = 0) -> None:
        self._w, self._bias, self._names, self.selected = np.asarray(weights), np.asarray(bias), list(names), selected
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, 170)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        for k, rect in enumerate(self._rects):
            if rect.contains(event.position()):
                self.selected = k
                self.filterClicked.emit(k)
                self.update()
                return

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        self._rects = []
        if self._w.size == 0:
            p.end()
            return
        c_out, c_in, f, _f = self._w.shape
        off = 10.0 if c_in <= 4 else max(1.5, 40.0 / (c_in - 1))  # many channels: a tight stack
        slot = self.width() / c_out
        cell = max(8.0, min(30.0, (slot - 24 - off * (c_in - 1)) / f, (self.height() - 60 - off * (c_in - 1)) / f))
        vmax = float(max(np.abs(self._w).max(), 1e-9))
        font = QFont(p.font())
        for k in range(c_out):
            size = f * cell + off * (c_in - 1)
            x0 = k * slot + (slot - size) / 2
            y0 = 36.0
            self._rects.append(QRectF(k * slot, 0, slot, self.height()))
            p.setPen(pal.color(QPalette.ColorRole.Text))
            font.setPixelSize(12)
            font.setBold(k == self.selected)
            p.setFont(font)
            p.drawText(QRectF(k * slot, 2, slot, 16), Qt.AlignmentFlag.AlignCenter, _("filter {k}").format(k=k + 1))
            font.setBold(False)
            font.setPixelSize(11)
            p.setFont(font)
            name = self._names[k] if k < len(self._names) else ""
            p.drawText(QRectF(k * slot, 17, slot, 15), Qt.AlignmentFlag.AlignCenter, QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideRight, int(slot - 8)))
            for ch in reversed(range(c_in)):
                ox, oy = x0 + off * (c_in - 1 - ch), y0 + off * ch
                cols = value_colours(self._w[k, ch], vmax)
                for r in range(f):
                    for c in range(f):
                        rgb = cols[r, c]
                        p.fillRect(QRectF(ox + c * cell, oy + r * cell, cell, cell), QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
                pen = QPen(_CHANNEL_TINT.get(ch, QColor(120, 120, 120)) if c_in == 3 else QColor(120, 120, 120), 2)
                p.setPen(pen)
                p.drawRect(QRectF(ox, oy, f * cell, f * cell))
                if ch == 0 and cell >= 16:
                    font.setBold(False)
                    for r in range(f):
                        for c in range(f):
                            label = fmt(float(self._w[k, ch, r, c]))
                            font.setPixelSize(max(7, int(min(cell * 0.42, 0.95 * cell / (0.6 * len(label))))))
                            p.setFont(font)
                            rgb = cols[r, c]
                            light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
                            p.setPen(QColor(20, 20, 20) if light else QColor(255, 255, 255))
                            p.drawText(QRectF(ox + c * cell, oy + r * cell, cell, cell), Qt.AlignmentFlag.AlignCenter, label)
            font.setPixelSize(11)
            font.setBold(False)
            p.setFont(font)
            p.setPen(pal.color(QPalette.ColorRole.Text))
            if c_in == 3 and slot > 150:
                text = _("R, G, B + bias {b}").format(b=fmt(float(self._bias[k])))
            elif c_in > 4:
                text = _("{c} kernels + bias {b}").format(c=c_in, b=fmt(float(self._bias[k])))
            else:
                text = _("bias {b}").format(b=fmt(float(self._bias[k])))
            p.drawText(QRectF(k * slot, y0 + size + 4, slot, 16), Qt.AlignmentFlag.AlignCenter, text)
            if k == self.selected:
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(QRectF(k * slot + 3, 1, slot - 6, self.height() - 2), 6, 6)
        p.end()
