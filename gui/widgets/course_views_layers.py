"""Worked-example views about one layer's size: a fully connected layer against a convolution on a large
image, and one convolution layer with every filter drawn (ten 3×3×3; thirty-two 1×1×192)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from engine.i18n import _

from .course_views_common import diverging, num, rich_label, shape

__all__ = ["DenseVsConvView", "ConvLayerView", "FilterStrip", "LogBars"]


def _spin(lo: int, hi: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setGroupSeparatorShown(True)
    s.setKeyboardTracking(False)
    return s


class LogBars(QWidget):
    """Two parameter counts as bars on a log₁₀ scale (a count of 3·10⁹ beside 280 stays readable)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, int, str]] = []  # (label, value, colour)
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, int, str]]) -> None:
        self.rows = rows
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, 16 + 28 * max(1, len(self.rows)))

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.rows:
            return
        p = QPainter(self)
        pal = self.palette()
        label_w = max(self.fontMetrics().horizontalAdvance(r[0]) for r in self.rows) + 10
        top = max(math.log10(max(v, 1)) for _l, v, _c in self.rows) or 1.0
        avail = max(10, self.width() - label_w - 130)
        for i, (label, value, colour) in enumerate(self.rows):
            y = 6 + i * 28
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y, label_w, 22), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            w = max(2.0, avail * math.log10(max(value, 1)) / top)
            p.fillRect(QRectF(label_w + 4, y + 3, w, 16), QColor(colour))
            p.drawText(QRectF(label_w + 10 + w, y, 200, 22), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, num(value))
        p.end()


class DenseVsConvView(QWidget):
    """The 1000-unit fully connected layer on 1000×1000×3 against ten 3×3×3 filters on the same image."""

    view_id = "dense-vs-conv"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        v = QVBoxLayout(self)
        self.intro = rich_label()
        v.addWidget(self.intro)
        controls = QHBoxLayout()
        self.units_caption, self.filters_caption = QLabel(), QLabel()
        self.units_spin, self.filters_spin, self.f_spin = _spin(1, 100_000), _spin(1, 512), _spin(1, 11)
        self.f_caption = QLabel()
        for cap, spin in ((self.units_caption, self.units_spin), (self.filters_caption, self.filters_spin), (self.f_caption, self.f_spin)):
            controls.addWidget(cap)
            controls.addWidget(spin)
        controls.addStretch(1)
        v.addLayout(controls)
        boxes = QHBoxLayout()
        self.dense_box, self.conv_box = QGroupBox(), QGroupBox()
        self.dense_label, self.conv_label = rich_label(), rich_label()
        for box, label in ((self.dense_box, self.dense_label), (self.conv_box, self.conv_label)):
            QVBoxLayout(box).addWidget(label)
            boxes.addWidget(box, 1)
        v.addLayout(boxes)
        self.bars = LogBars()
        v.addWidget(self.bars)
        self.verdict = rich_label()
        v.addWidget(self.verdict)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        v.addWidget(self.error)
        v.addStretch(1)
        self.units_spin.valueChanged.connect(lambda n: model.set_params(self.view_id, hidden_units=n))
        self.filters_spin.valueChanged.connect(lambda n: model.set_params(self.view_id, filters=n))
        self.f_spin.valueChanged.connect(lambda n: model.set_params(self.view_id, f=n))
        model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def render(self) -> None:
        """Draw the model's numbers in the current language and shape notation."""
        m = self.model
        r = m.results.get(self.view_id)
        p = m.params[self.view_id]
        for spin, value in ((self.units_spin, p["hidden_units"]), (self.filters_spin, p["filters"]), (self.f_spin, p["f"])):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self.units_caption.setText(_("Units of the fully connected layer"))
        self.filters_caption.setText(_("Filters"))
        self.f_caption.setText(_("Filter size f"))
        self.error.setText(m.errors.get(self.view_id, ""))
        self.error.setVisible(self.view_id in m.errors)
        if r is None:
            return
        h, w, c = r.input_hwc
        self.intro.setText(_("An image of {shape} flattened into one long vector has {h}·{w}·{c} = <b>{inputs}</b> input values. "
                             "Every unit of a fully connected layer has a weight for each of them; a filter of a convolution "
                             "sees only f×f×C values and is slid over the image.").format(
            shape=shape(r.input_hwc), h=num(h), w=num(w), c=num(c), inputs=num(r.inputs)))
        self.dense_box.setTitle(_("Fully connected layer, {units} units").format(units=num(r.units)))
        self.dense_label.setText(
            _("weights: {inputs} inputs × {units} units = <b>{weights}</b>").format(inputs=num(r.inputs), units=num(r.units), weights=num(r.dense_weights))
            + "<br>" + _("biases: {biases}").format(biases=num(r.dense_biases))
            + "<br>" + _("parameters: <b>{params}</b>").format(params=num(r.dense_params)))
        cv = r.conv
        self.conv_box.setTitle(_("Convolution layer, {k} filters of {f}×{f}×{c}").format(k=num(cv.filters), f=cv.f, c=num(c)))
        self.conv_label.setText(
            _("parameters: ({f}·{f}·{c} + 1)·{k} = <b>{params}</b>").format(f=cv.f, c=num(c), k=num(cv.filters), params=num(cv.params))
            + "<br>" + _("output: {shape}").format(shape=shape(cv.output_hwc))
            + "<br>" + _("the same count on any image size"))
        self.bars.set_rows([(_("fully connected"), r.dense_params, "#c8372d"), (_("convolution"), cv.params, "#2a7ab8")])
        self.verdict.setText(_("The fully connected layer has about <b>{ratio}</b> times as many parameters (bars on a log scale).").format(
            ratio=num(round(r.ratio))))


class FilterStrip(QWidget):
    """Every filter of a layer drawn from its real weights: f×f kernels stacked per channel (few channels),
    or one row of f·f·C cells per filter (many channels); each filter's bias as one more cell."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.weights: np.ndarray | None = None  # (K, C, f, f)
        self.bias: np.ndarray | None = None
        self.caption = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_layer(self, weights: np.ndarray | None, bias: np.ndarray | None) -> None:
        self.weights, self.bias = weights, bias
        self.updateGeometry()
        self.update()

    @property
    def stacked(self) -> bool:
        return self.weights is not None and self.weights.shape[1] <= 4 and self.weights.shape[2] > 1

    def filters_drawn(self) -> int:
        return 0 if self.weights is None else int(self.weights.shape[0])

    _SLOT = 76  # width of one stacked filter

    def _per_row(self, width: int) -> int:
        k = 0 if self.weights is None else self.weights.shape[0]
        return max(1, min(k, max(1, (width - 4) // self._SLOT)))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        if self.weights is None:
            return 20
        k, c, f, _f = self.weights.shape
        if self.stacked:
            rows = math.ceil(k / self._per_row(width))
            return rows * (f * 12 + (c - 1) * 6 + 34)
        return min(k, 64) * 6 + 24

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, self.heightForWidth(600 if self.width() < 50 else self.width()))

    def paintEvent(self, event) -> None:  # noqa: N802
        if self.weights is None:
            return
        p = QPainter(self)
        pal = self.palette()
        w = self.weights
        k, c, f, _f = w.shape
        top = float(np.abs(w).max()) or 1.0
        text = pal.color(QPalette.ColorRole.WindowText)
        if self.stacked:
            cell = 12
            per_row = self._per_row(self.width())
            for i in range(k):
                x0 = (i % per_row) * self._SLOT + 4
                y0 = (i // per_row) * (f * cell + (c - 1) * 6 + 34) + 2
                for ch in reversed(range(c)):  # the first channel in front, the others behind it
                    ox, oy = x0 + ch * 6, y0 + (c - 1 - ch) * 6
                    for (r, q), v in np.ndenumerate(w[i, ch]):
                        rect = QRectF(ox + q * cell, oy + r * cell, cell, cell)
                        p.fillRect(rect, diverging(float(v), top))
                        p.setPen(QPen(QColor(("#c8372d", "#2f9e44", "#2a7ab8", "#888888")[ch % 4]), 1))
                        p.drawRect(rect)
                bx = x0 + f * cell + (c - 1) * 6 + 6
                if self.bias is not None:
                    rect = QRectF(bx, y0 + (c - 1) * 6, cell, cell)
                    p.fillRect(rect, diverging(float(self.bias[i]), top))
                    p.setPen(QColor("#555555"))
                    p.drawRect(rect)
                    p.setPen(text)
                    p.drawText(QRectF(bx - 2, y0 + (c - 1) * 6 + cell, 18, 14), Qt.AlignmentFlag.AlignCenter, "b")
                p.setPen(text)
                p.drawText(QRectF(x0, y0 + f * cell + (c - 1) * 6 + 2, 80, 16), Qt.AlignmentFlag.AlignLeft, str(i + 1))
        else:
            flat = w.reshape(k, -1)
            rows = min(k, 64)
            n = flat.shape[1]
            label_w = 28
            cw = max(1.0, (self.width() - label_w - 30) / (n + 1))
            for i in range(rows):
                y = 2 + i * 6
                for q in range(n):
                    p.fillRect(QRectF(label_w + q * cw, y, cw, 5), diverging(float(flat[i, q]), top))
                if self.bias is not None:
                    p.fillRect(QRectF(label_w + n * cw + 6, y, max(cw, 4), 5), diverging(float(self.bias[i]), top))
                if i % 8 == 0 or i == rows - 1:
                    p.setPen(text)
                    p.drawText(QRectF(0, y - 4, label_w - 4, 12), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(i + 1))
        p.end()


class ConvLayerView(QWidget):
    """One convolution layer: input, filters (each drawn), parameters with biases, output."""

    view_id = "conv-layer"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        v = QVBoxLayout(self)
        self.intro = rich_label()
        v.addWidget(self.intro)
        row = QHBoxLayout()
        form = QFormLayout()
        self.h_spin, self.w_spin, self.c_spin = _spin(1, 4096), _spin(1, 4096), _spin(1, 2048)
        self.f_spin, self.k_spin = _spin(1, 11), _spin(1, 512)
        self.captions = [QLabel() for _i in range(5)]
        for cap, spin in zip(self.captions, (self.h_spin, self.w_spin, self.c_spin, self.f_spin, self.k_spin)):
            form.addRow(cap, spin)
        row.addLayout(form)
        numbers = QVBoxLayout()
        self.formula = rich_label()
        self.formula.setStyleSheet("font-size: 12pt;")
        self.shapes_label = rich_label()
        numbers.addWidget(self.formula)
        numbers.addWidget(self.shapes_label)
        numbers.addStretch(1)
        row.addLayout(numbers, 1)
        v.addLayout(row)
        self.filters_caption = rich_label()
        v.addWidget(self.filters_caption)
        self.strip = FilterStrip()
        v.addWidget(self.strip)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        v.addWidget(self.error)
        v.addStretch(1)
        keys = ("h", "w", "c", "f", "filters")
        for key, spin in zip(keys, (self.h_spin, self.w_spin, self.c_spin, self.f_spin, self.k_spin)):
            spin.valueChanged.connect(lambda _n, k=key: self._changed(k))
        model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def _changed(self, _key: str) -> None:
        hwc = [self.h_spin.value(), self.w_spin.value(), self.c_spin.value()]
        self.model.set_params(self.view_id, input_hwc=hwc, channels=hwc[2], n=hwc[0], f=self.f_spin.value(), filters=self.k_spin.value())

    def render(self) -> None:
        """Draw the model's numbers in the current language and shape notation."""
        m = self.model
        p = m.params[self.view_id]
        h, w, c = p["input_hwc"]
        for spin, value in zip((self.h_spin, self.w_spin, self.c_spin, self.f_spin, self.k_spin), (h, w, c, p["f"], p["filters"])):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        for cap, text in zip(self.captions, (_("Input height H"), _("Input width W"), _("Input channels C"), _("Filter size f"), _("Filters"))):
            cap.setText(text)
        self.error.setText(m.errors.get(self.view_id, ""))
        self.error.setVisible(self.view_id in m.errors)
        r = m.results.get(self.view_id)
        if r is None:
            return
        self.intro.setText(_("Each filter is f×f×C: one f×f kernel per input channel, plus one bias. The layer's parameters "
                             "do not depend on the size of the image, only on f, C and the number of filters."))
        f, (_h, _w, c) = r.f, r.input_hwc
        self.formula.setText(
            _("per filter: {f}·{f}·{c} = {wpf} weights + 1 bias = {ppf}").format(f=f, c=num(c), wpf=num(r.weights_per_filter), ppf=num(r.params_per_filter))
            + "<br>" + _("layer: ({f}·{f}·{c} + 1)·{k} = <b>{params}</b> parameters").format(f=f, c=num(c), k=num(r.filters), params=num(r.params)))
        text = _("{inp} → {out}, with {k} filters of {f}×{f}×{c}").format(
            inp=shape(r.input_hwc), out=shape(r.output_hwc), k=num(r.filters), f=f, c=num(c))
        if f == 1:
            oh, ow, _oc = r.output_hwc
            text += "<br>" + _("At each of the {h}×{w} = {n} positions the {c} channel values meet each filter's {c} weights: "
                               "a fully connected layer {c} → {k}, the same at every position.").format(
                h=oh, w=ow, n=num(r.positions), c=num(c), k=num(r.filters))
        self.shapes_label.setText(text)
        self.strip.set_layer(r.weights, r.bias)
        if r.weights is None:
            self.filters_caption.setText(_("The layer is too large to draw its weights."))
        elif self.strip.stacked:
            self.filters_caption.setText(_("The {k} filters with their initial weights (red positive, blue negative); "
                                           "each is {c} kernels of {f}×{f} (one per channel) and a bias b:").format(k=num(r.filters), c=num(c), f=f))
        else:
            self.filters_caption.setText(_("The {k} filters with their initial weights, one row each: {n} weights "
                                           "({f}×{f}×{c}) and, apart, the bias (red positive, blue negative):").format(
                k=num(r.filters), n=num(r.weights_per_filter), f=f, c=num(c)))
