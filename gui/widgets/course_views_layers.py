"""Worked-example views about one layer's size: a fully connected layer against a convolution on a large
image, and one convolution layer with every filter drawn (ten 3×3×3; thirty-two 1×1×192)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from engine.i18n import N_, _

from .course_views_base import ExampleView, LabelledBars, caption_row, count_box, group, set_quietly, side_by_side, styled
from .course_views_common import diverging, num, rich_label, shape
from .form import Form

__all__ = ["DenseVsConvView", "ConvLayerView", "FilterStrip", "LogBars"]


class LogBars(LabelledBars):
    """Parameter counts as bars on a log₁₀ scale (a count of 3·10⁹ beside 280 stays readable); rows of
    ``(label, value, colour)``."""

    ROW, BAR_TOP, GAP, LABEL_PAD, RIGHT, VALUE_WIDTH, HINT = 22, 3, 6, 10, 126, 200, (400, 16)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(70)

    def lengths(self, avail: float) -> list[float]:
        top = max(math.log10(max(v, 1)) for _l, v, _c in self.rows) or 1.0
        return [max(2.0, avail * math.log10(max(v, 1)) / top) for _l, v, _c in self.rows]

    def colour(self, i: int) -> QColor:
        return QColor(self.rows[i][2])

    def value_text(self, i: int) -> str:
        return num(self.rows[i][1])


class DenseVsConvView(ExampleView):
    """The 1000-unit fully connected layer on 1000×1000×3 against ten 3×3×3 filters on the same image."""

    view_id = "dense-vs-conv"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.units_spin, self.filters_spin, self.f_spin = count_box(1, 100_000), count_box(1, 512), count_box(1, 11)
        self.add(caption_row((N_("Units of the fully connected layer"), self.units_spin), (N_("Filters"), self.filters_spin),
                             (N_("Filter size f"), self.f_spin)))
        self.dense_label, self.conv_label = rich_label(), rich_label()
        self.dense_box, self.conv_box = group(self.dense_label, stretch=False), group(self.conv_label, stretch=False)
        self.add(side_by_side(self.dense_box, self.conv_box))
        self.bars = self.add(LogBars())
        self.verdict = self.add(rich_label())
        self.add_error()
        for key, spin in (("hidden_units", self.units_spin), ("filters", self.filters_spin), ("f", self.f_spin)):
            self.bind(spin, key)
        self.finish()

    def render(self) -> None:
        p = self.model.params[self.view_id]
        for spin, value in ((self.units_spin, p["hidden_units"]), (self.filters_spin, p["filters"]), (self.f_spin, p["f"])):
            set_quietly(spin, value)
        super().render()

    def draw(self, r) -> None:
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


class ConvLayerView(ExampleView):
    """One convolution layer: input, filters (each drawn), parameters with biases, output."""

    view_id = "conv-layer"

    _FIELDS = ((N_("Input height H"), 4096), (N_("Input width W"), 4096), (N_("Input channels C"), 2048),
               (N_("Filter size f"), 11), (N_("Filters"), 512))

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        form = Form()
        self._spins = tuple(form.add(caption, count_box(1, top)) for caption, top in self._FIELDS)
        self.h_spin, self.w_spin, self.c_spin, self.f_spin, self.k_spin = self._spins
        numbers = QVBoxLayout()
        self.formula = styled(rich_label(), "font-size: 12pt;")
        self.shapes_label = rich_label()
        numbers.addWidget(self.formula)
        numbers.addWidget(self.shapes_label)
        numbers.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(form.layout)
        row.addLayout(numbers, 1)
        self.add(row)
        self.filters_caption = self.add(rich_label())
        self.strip = self.add(FilterStrip())
        self.add_error()
        for spin in self._spins:
            spin.valueChanged.connect(lambda _n: self._changed())
        self.finish()

    def _changed(self) -> None:
        hwc = [self.h_spin.value(), self.w_spin.value(), self.c_spin.value()]
        self.model.set_params(self.view_id, input_hwc=hwc, channels=hwc[2], n=hwc[0], f=self.f_spin.value(), filters=self.k_spin.value())

    def render(self) -> None:
        p = self.model.params[self.view_id]
        for spin, value in zip(self._spins, (*p["input_hwc"], p["f"], p["filters"])):
            set_quietly(spin, value)
        super().render()

    def draw(self, r) -> None:
        self.intro.setText(_("Each filter is f×f×C: one f×f kernel per input channel, plus one bias. The layer's parameters "
                             "do not depend on the size of the image, only on f, C and the number of filters."))
        f, c = r.f, r.input_hwc[2]
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
