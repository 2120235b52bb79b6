"""Grid detector: sliding windows two ways, training a YOLO-style grid, and inspecting it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _, join_list
from engine.shapes import format_shape
from ..panel import Panel
from ..widgets.box_canvas import BoxCanvas, CanvasBox
from ..widgets.yolo_anchor_view import AnchorView
from ..widgets.yolo_grid_view import GridOverlayView, OverlayBox
from ..widgets.yolo_loss_plot import LossPlot
from ..widgets.yolo_sandbox import GridSandbox
from ..widgets.yolo_sliding_view import OutputMapView
from .grid_detector_model import SLIDING_INPUTS, GridDetectorModel
from .sliding_sizes_model import SlidingSizesModel

__all__ = ["GridDetectorPanel"]

try:  # let the Detection panel's chooser offer the trained grid detector
    from engine.yolo.detector import ensure_registered

    ensure_registered()
except ImportError:  # engine.detect not installed: this panel works without it
    pass

_CLASSES_SLIDING = (N_("background"), N_("circle"), N_("square"), N_("triangle"))


def _label(text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _input_text(key: str) -> str:
    """The sliding input's name with its output shape in the app's notation: "28×28 → 8×8×4 (H×W×C)"."""
    from engine.yolo.sliding import SLIDING_CLASSES, output_size

    label, side = SLIDING_INPUTS[key]
    rows, cols = output_size(side, side)
    return _(label).format(side=side, shape=format_shape((rows, cols, len(SLIDING_CLASSES)), source="hwc"))


def _upscale(image: np.ndarray, target: int = 320) -> tuple[np.ndarray, int]:
    k = max(1, target // max(image.shape[:2]))
    return np.repeat(np.repeat(image, k, axis=0), k, axis=1), k


class GridDetectorPanel(Panel):
    panel_id = "grid_detector"
    title = N_("Grid detector")
    summary = N_("Detection from first principles: sliding windows as convolutions, and a YOLO grid trained here")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = GridDetectorModel(ctx.jobs, self)
        self.sizes_model = SlidingSizesModel(ctx.jobs, self)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sliding(), _("Sliding windows"))
        self.tabs.addTab(self._build_train(), _("Train"))
        self.tabs.addTab(self._build_inspect(), _("Inspect"))
        self.sandbox = GridSandbox()
        self.tabs.addTab(self.sandbox, _("Grid sandbox"))
        layout.addWidget(self.tabs)
        m = self.model
        m.classifierChanged.connect(self._show_classifier)
        m.comparisonChanged.connect(self._show_comparison)
        m.selectedWindowChanged.connect(self._show_window)
        m.trainingChanged.connect(self._show_training)
        m.curvesChanged.connect(lambda: self.loss_plot.set_curves(m.curves))
        m.curvesChanged.connect(self._show_training_header)
        m.statusChanged.connect(self.train_status.setText)
        m.detectorChanged.connect(self._show_detector)
        m.sceneChanged.connect(self._show_scene)
        m.hoverChanged.connect(self._show_hover)
        m.sandboxExample.connect(self._sandbox_example)
        m.slidingExample.connect(self._sliding_example)
        m.errorOccurred.connect(lambda title, text: ctx.show_error(title, text, ""))
        self._started = False
        self._sizes_started = False
        self._show_sizes()

    # -- building ---------------------------------------------------------------

    def _build_sliding(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(_label(_(
            "A 14×14×3 classifier (conv 5×5×16, max pool 2×2, FC 400, FC 400, softmax over background / circle / square / triangle) "
            "slides over a larger image two ways: <b>cropped</b> (every 14×14 window classified on its own) and "
            "<b>convolutional</b> (the same weights copied into 400 filters of 5×5×16, 400 of 1×1×400 and 4 of 1×1×400, run once). "
            "Click an output cell to see its window."
        )))
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Input:")))
        self.input_combo = QComboBox()
        for key in SLIDING_INPUTS:
            self.input_combo.addItem(_input_text(key), key)
        self.input_combo.setCurrentIndex(list(SLIDING_INPUTS).index(self.model.sliding_input))
        self.input_combo.currentIndexChanged.connect(lambda i: self.model.set_sliding_input(self.input_combo.itemData(i)))
        row.addWidget(self.input_combo)
        self.run_button = QPushButton(_("Run both ways"))
        self.run_button.clicked.connect(self.model.run_comparison)
        row.addWidget(self.run_button)
        self.train_classifier_button = QPushButton(_("Train classifier"))
        self.train_classifier_button.setToolTip(_("Train on generated 14×14 crops (about a minute on a busy CPU)"))
        self.train_classifier_button.clicked.connect(self.model.train_classifier)
        row.addWidget(self.train_classifier_button)
        self.classifier_label = _label()  # wraps: a long state text must not widen the window
        row.addWidget(self.classifier_label, 1)
        v.addLayout(row)
        split = QHBoxLayout()
        box_in = QGroupBox(_("Input, with the selected cell's window"))
        lin = QVBoxLayout(box_in)
        self.sliding_input_view = GridOverlayView(N_("Input"))
        lin.addWidget(self.sliding_input_view)
        box_out = QGroupBox(_("Output map (colour = most likely class)"))
        lout = QVBoxLayout(box_out)
        self.output_map = OutputMapView()
        self.output_map.cellClicked.connect(self.model.select_window)
        lout.addWidget(self.output_map)
        self.map_legend = _label(wrap=False)
        self._show_legend()
        lout.addWidget(self.map_legend)
        split.addWidget(box_in, 1)
        split.addWidget(box_out, 1)
        split.addWidget(self._build_sizes(), 1)
        v.addLayout(split, 1)
        self.comparison_label = _label()
        self.window_label = _label()
        v.addWidget(self.comparison_label)
        v.addWidget(self.window_label)
        return page

    def _build_sizes(self) -> QWidget:
        """Crop-and-classify with two or three window sizes: crops and time per size, windows drawn."""
        box = QGroupBox(_("Several window sizes"))
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Sizes")))
        self.size_spins = []
        for value in self.sizes_model.sizes:
            spin = QSpinBox()
            spin.setRange(0, 64)
            spin.setValue(value)
            spin.setToolTip(_("Window side in pixels (0: not used)"))
            self.size_spins.append(spin)
            row.addWidget(spin)
        v.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Stride")))
        self.sizes_stride_spin = QSpinBox()
        self.sizes_stride_spin.setRange(1, 32)
        self.sizes_stride_spin.setValue(self.sizes_model.stride)
        row.addWidget(self.sizes_stride_spin)
        row.addStretch(1)
        v.addLayout(row)
        row = QHBoxLayout()
        self.sizes_run_button = QPushButton(_("Run sizes"))
        self.sizes_cancel_button = QPushButton(_("Cancel"))
        self.sizes_cancel_button.setEnabled(False)
        row.addWidget(self.sizes_run_button)
        row.addWidget(self.sizes_cancel_button)
        v.addLayout(row)
        self.sizes_table = QTableWidget(0, 4)
        self.sizes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sizes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sizes_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sizes_table.verticalHeader().setVisible(False)
        self.sizes_table.setWordWrap(False)  # "26×26 = 676" stays on one line
        self.sizes_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the time takes what is left (no scroll bar in the narrow column); rows one line high, so three fit unscrolled
        self.sizes_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.sizes_table.verticalHeader().setDefaultSectionSize(self.sizes_table.fontMetrics().height() + 8)
        self.sizes_table.setMaximumHeight(120)
        v.addWidget(self.sizes_table)
        self.sizes_canvas = BoxCanvas()
        self.sizes_canvas.setMinimumSize(120, 120)
        v.addWidget(self.sizes_canvas, 1)
        self.sizes_label = _label()
        v.addWidget(self.sizes_label)
        self.sizes_run_button.clicked.connect(self.run_sizes)
        self.sizes_cancel_button.clicked.connect(self.sizes_model.cancel)
        self.sizes_table.currentCellChanged.connect(lambda row, *_args: row >= 0 and row != self.sizes_model.selected
                                                    and self.sizes_model.select(row))
        self.sizes_model.changed.connect(self._show_sizes)
        self.sizes_model.failed.connect(lambda text: self.sizes_label.setText(text))
        return box

    def run_sizes(self) -> None:
        """Slide the chosen sizes over the current input (in a worker job)."""
        from engine.yolo.sliding import demo_scene

        sm, m = self.sizes_model, self.model
        sm.set_sizes([s.value() for s in self.size_spins], self.sizes_stride_spin.value())
        if not sm.sizes:
            self.sizes_label.setText(_("Choose at least one window size above 0."))
            return
        if m.classifier is None:
            m.load_classifier()
        side = SLIDING_INPUTS[m.sliding_input][1]
        image = m.sliding_image if m.sliding_image is not None and m.sliding_image.shape[0] == side else demo_scene(seed=10, size=side)
        sm.run(m.classifier, image)

    def _show_sizes(self) -> None:
        sm = self.sizes_model
        self.sizes_run_button.setEnabled(not sm.busy)
        self.sizes_cancel_button.setEnabled(sm.busy)
        self.sizes_table.setHorizontalHeaderLabels([_("Window"), _("Stride"), _("Crops"), _("Time")])
        with QSignalBlocker(self.sizes_table):
            self.sizes_table.setRowCount(len(sm.runs))
            for k, r in enumerate(sm.runs):
                cells = (f"{r.size}×{r.size}", str(r.stride), str(r.crops), _("{ms:.0f} ms").format(ms=r.seconds * 1e3))
                for j, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if j == 2:  # the narrow column keeps the count; the grid of windows is in the tooltip
                        item.setToolTip(_("{rows}×{cols} windows").format(rows=r.rows, cols=r.cols))
                    self.sizes_table.setItem(k, j, item)
            if sm.runs:
                self.sizes_table.selectRow(sm.selected)
        if sm.busy:
            self.sizes_label.setText(_("Sliding the windows…"))
        elif sm.cancelled:
            self.sizes_label.setText(_("Cancelled: the sizes finished before it are shown."))
        elif sm.runs:
            total = sum(r.seconds for r in sm.runs)
            crops = sum(r.crops for r in sm.runs)
            self.sizes_label.setText(_("Every size adds its whole cost: {crops} crops in {ms:.0f} ms in all.").format(crops=crops, ms=total * 1e3))
        else:
            self.sizes_label.setText(_("Press Run sizes to classify every window of each size."))
        if sm.image is not None and sm.runs:
            run = sm.runs[sm.selected]
            self.sizes_canvas.set_image(sm.image)
            self.sizes_canvas.set_boxes([CanvasBox(tuple(float(v) for v in b), (255, 200, 0), width=1.0, faded=True)
                                         for b in run.boxes])

    def _show_legend(self) -> None:
        colours = ("#969696", "#e63946", "#1d84e6", "#2eaa50")
        self.map_legend.setText(" &nbsp; ".join(f"<span style='color:{c}'>&#9632;</span> {_(n)}" for c, n in zip(colours, _CLASSES_SLIDING)))

    def _build_train(self) -> QWidget:
        page = QWidget()
        h = QHBoxLayout(page)
        left = QVBoxLayout()
        form_box = QGroupBox(_("Settings"))
        form = QFormLayout(form_box)
        self.grid_combo = QComboBox()
        for s in (7, 13):
            self.grid_combo.addItem(_("{s}×{s} ({px} px input)").format(s=s, px=s * 16), s)
        self.grid_combo.currentIndexChanged.connect(lambda i: setattr(self.model, "grid", self.grid_combo.itemData(i)))
        form.addRow(_("Grid S"), self.grid_combo)
        self.anchor_spin = QSpinBox()
        self.anchor_spin.setRange(1, 5)
        self.anchor_spin.setValue(self.model.anchors)
        self.anchor_spin.valueChanged.connect(lambda v: setattr(self.model, "anchors", int(v)))
        form.addRow(_("Anchors B"), self.anchor_spin)
        self.minutes_spin = QDoubleSpinBox()
        self.minutes_spin.setRange(0.1, 60.0)
        self.minutes_spin.setSingleStep(0.5)
        self.minutes_spin.setValue(self.model.minutes)
        self.minutes_spin.setSuffix(_(" min"))
        self.minutes_spin.valueChanged.connect(lambda v: setattr(self.model, "minutes", float(v)))
        form.addRow(_("Budget"), self.minutes_spin)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 1_000_000)
        self.seed_spin.valueChanged.connect(lambda v: setattr(self.model, "seed", int(v)))
        form.addRow(_("Seed"), self.seed_spin)
        left.addWidget(form_box)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(_("Start training"))
        self.start_button.clicked.connect(lambda: self.model.start_training())
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.model.cancel_training)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        left.addLayout(buttons)
        anchors_box = QGroupBox(_("Anchor shapes (k-means, 1 − IoU)"))
        la = QVBoxLayout(anchors_box)
        self.train_anchor_view = AnchorView()
        la.addWidget(self.train_anchor_view)
        left.addWidget(anchors_box, 1)
        h.addLayout(left, 0)
        right = QVBoxLayout()
        self.map_label = _label()
        self.map_label.setStyleSheet("font-weight: bold;")
        right.addWidget(self.map_label)
        self.loss_plot = LossPlot()
        right.addWidget(self.loss_plot, 1)
        self.train_status = _label()
        right.addWidget(self.train_status)
        right.addWidget(_label(_(
            "Scenes are generated (seeded) with circles, squares, triangles and cars on photo, noise and gradient backgrounds; "
            "anchors come from k-means on the training boxes; mAP is measured on 200 held-out scenes after training. "
            "The whole run, scene generation and evaluation included, fits the budget."
        )))
        h.addLayout(right, 1)
        return page

    def _build_inspect(self) -> QWidget:
        page = QWidget()
        h = QHBoxLayout(page)
        left = QVBoxLayout()
        controls = QHBoxLayout()
        controls.addWidget(QLabel(_("Scene")))
        self.scene_spin = QSpinBox()
        self.scene_spin.setRange(0, 1_000_000)
        self.scene_spin.setValue(self.model.scene_seed)
        self.scene_spin.valueChanged.connect(self.model.set_scene_seed)
        controls.addWidget(self.scene_spin)
        controls.addWidget(QLabel(_("Score threshold")))
        self.score_slider = QSlider(Qt.Orientation.Horizontal)
        self.score_slider.setRange(1, 99)
        self.score_slider.setValue(int(self.model.score_threshold * 100))
        self.score_slider.valueChanged.connect(lambda v: self.model.set_score_threshold(v / 100))
        controls.addWidget(self.score_slider, 1)
        self.score_label = QLabel()
        controls.addWidget(self.score_label)
        left.addLayout(controls)
        self.inspect_header = _label()
        left.addWidget(self.inspect_header)
        self.scene_view = GridOverlayView(N_("No scene"))
        self.scene_view.hoveredCell.connect(self.model.set_hover)
        self.scene_view.cellClicked.connect(self.model.set_hover)
        left.addWidget(self.scene_view, 1)
        left.addWidget(_label(_("Dashed: ground truth, dot at its midpoint (its cell is tinted). Solid: predictions kept after per-class NMS. Hover a cell.")))
        h.addLayout(left, 3)
        right = QVBoxLayout()
        self.cell_text = QTextBrowser()
        self.cell_text.setMinimumWidth(360)
        right.addWidget(self.cell_text, 2)
        self.assign_text = QTextBrowser()
        right.addWidget(self.assign_text, 1)
        self.inspect_anchor_view = AnchorView()
        self.inspect_anchor_view.setMinimumHeight(190)
        right.addWidget(self.inspect_anchor_view, 1)
        h.addLayout(right, 2)
        return page

    # -- showing ----------------------------------------------------------------

    def _show_classifier(self) -> None:
        m = self.model
        busy = m.sliding_busy
        self.run_button.setEnabled(not busy)
        self.train_classifier_button.setEnabled(not busy)
        if m.classifier_trained:
            self.classifier_label.setText(_("Classifier trained: {acc:.1%} on held-out crops").format(acc=m.classifier_accuracy))
        else:
            self.classifier_label.setText(_("Classifier untrained (random weights): the two ways still agree; train it for meaningful classes"))

    def _show_comparison(self) -> None:
        m = self.model
        c = m.comparison
        self.run_button.setEnabled(True)
        self.train_classifier_button.setEnabled(True)
        if c is None:
            self.comparison_label.setText(_("Sliding the window both ways…") if m.sliding_busy else "")
            self.window_label.setText("")
            self.output_map.set_map(None)
            return
        shape_in = format_shape((*m.sliding_image.shape[:2], 3), source="hwc")
        shape_out = format_shape(c.convolutional.shape, source="hwc")
        text = _("<b>{out}</b> output from a {inp} input. Max |cropped − convolutional| = <b>{diff:.1e}</b> (equal within 1e-5). ") \
            if c.max_diff < 1e-5 else \
            _("<b>{out}</b> output from a {inp} input. Max |cropped − convolutional| = <b>{diff:.1e}</b> (NOT equal within 1e-5). ")
        self.comparison_label.setText(
            text.format(out=shape_out, inp=shape_in, diff=c.max_diff)
            + _("Cropped, one window per pass: {crop:.1f} ms; cropped as one batch: {batch:.1f} ms; convolutional, one pass: {conv:.2f} ms. "
                "Speed ratio <b>{ratio:.0f}×</b> ({ratio_batch:.1f}× against the batch).").format(
                crop=c.seconds_cropped * 1e3, batch=c.seconds_batched * 1e3, conv=c.seconds_conv * 1e3,
                ratio=c.speedup, ratio_batch=c.speedup_batched)
        )
        self.output_map.set_map(c.convolutional)
        self._show_window()
        if not self._sizes_started:  # the first comparison also fills the several-sizes table once
            self._sizes_started = True
            self.run_sizes()

    def _show_window(self) -> None:
        m = self.model
        index = list(SLIDING_INPUTS).index(m.sliding_input)
        if self.input_combo.currentIndex() != index:  # the input may be chosen by a course example
            self.input_combo.blockSignals(True)
            self.input_combo.setCurrentIndex(index)
            self.input_combo.blockSignals(False)
        c = m.comparison
        if c is None or m.sliding_image is None:
            return
        from engine.yolo.sliding import window_of

        r, col = m.selected_window
        self.output_map.set_selected((r, col))
        big, k = _upscale(m.sliding_image)
        x1, y1, x2, y2 = window_of(r, col)
        self.sliding_input_view.set_image(big)
        self.sliding_input_view.set_boxes([OverlayBox((x1 * k, y1 * k, x2 * k, y2 * k), 3, _("cell ({row}, {col})").format(row=r, col=col))])
        probs_c = join_list(f"{_(n)} {p:.3f}" for n, p in zip(_CLASSES_SLIDING, c.cropped[r, col]))
        probs_v = join_list(f"{_(n)} {p:.3f}" for n, p in zip(_CLASSES_SLIDING, c.convolutional[r, col]))
        self.window_label.setText(
            _("Cell ({row}, {col}) sees pixels x {x1}..{x2}, y {y1}..{y2}. Cropped: {cropped}. Convolutional: {conv}.").format(
                row=r, col=col, x1=x1, x2=x2 - 1, y1=y1, y2=y2 - 1, cropped=probs_c, conv=probs_v)
        )

    def _show_training(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for w in (self.grid_combo, self.anchor_spin, self.minutes_spin, self.seed_spin):
            w.setEnabled(not running)
        self.train_status.setText(self.model.train_message)
        if running:
            self._show_training_header()
        else:
            self._show_detector()

    def _show_training_header(self) -> None:
        """While a run goes on, the header says how far it is instead of the last finished model."""
        if self.model.training:
            self.map_label.setText(self.model.training_header())

    def _show_detector(self) -> None:
        m = self.model
        text = m.measured_map_text()
        if m.training:
            self._show_training_header()
        elif text:
            self.map_label.setText(_("Trained grid detector: {result}").format(result=text))
        else:
            self.map_label.setText(_("No grid detector trained yet. Press Start training (5 minutes by default)."))
        self.inspect_header.setText(_("Trained model: {result}").format(result=text) if text else _("No trained model yet: showing the targets only."))
        if m.detector is not None:
            self.train_anchor_view.set_anchors(m.detector.spec.anchors)
            with QSignalBlocker(self.grid_combo):
                idx = self.grid_combo.findData(m.detector.spec.grid)
                if idx >= 0:
                    self.grid_combo.setCurrentIndex(idx)
                    m.grid = m.detector.spec.grid
            with QSignalBlocker(self.anchor_spin):
                self.anchor_spin.setValue(m.detector.spec.num_anchors)
                m.anchors = m.detector.spec.num_anchors

    def _show_scene(self) -> None:
        m = self.model
        if m.scene is None:
            return
        spec = m.spec
        self.score_label.setText(f"{m.score_threshold:.2f}")
        self.scene_view.set_image(m.scene.image)
        self.scene_view.set_grid(spec.grid, spec.input_size)
        names = m.scene.class_names
        boxes = []
        marked = []
        for a in m.encoded.assignments:
            b = m.scene.boxes[a.index]
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            boxes.append(OverlayBox(tuple(float(v) for v in b), int(m.scene.labels[a.index]), "", True, (float(cx), float(cy))))
            marked.append((a.row, a.col))
        if m.prediction is not None:
            for b, s, l in zip(m.prediction.boxes, m.prediction.scores, m.prediction.labels):
                boxes.append(OverlayBox(tuple(float(v) for v in b), int(l), f"{_(names[int(l)])} {s:.2f}"))
        self.scene_view.set_boxes(boxes)
        self.scene_view.set_highlight(m.hover if m.hover[0] >= 0 else None, marked)
        self.inspect_anchor_view.set_anchors(spec.anchors)
        self.train_anchor_view.set_anchors(spec.anchors)
        rows = []
        for a in m.encoded.assignments:
            ious = join_list(f"{v:.2f}" for v in a.anchor_ious)
            note = " <i>" + _("(overwritten by a later object in the same slot)") + "</i>" if a.overwritten else ""
            rows.append("<li>" + _("<b>{name}</b> → cell ({row}, {col}), anchor {anchor} (shape IoU with anchors: {ious})").format(
                name=_(names[int(m.scene.labels[a.index])]), row=a.row, col=a.col, anchor=a.anchor, ious=ious) + note + "</li>")
        self.assign_text.setHtml("<b>" + _("How each ground-truth box was assigned") + "</b><ul>"
                                 + ("".join(rows) or "<li>" + _("no objects") + "</li>") + "</ul>")
        if m.hover[0] < 0 and m.encoded.assignments:
            a = m.encoded.assignments[0]
            m.hover = (a.row, a.col)
            self.scene_view.set_highlight(m.hover)
        self._show_hover()

    def _show_hover(self) -> None:
        m = self.model
        if m.scene is None:
            return
        r, c = m.hover
        self.scene_view.set_highlight((r, c) if r >= 0 else None)
        if r < 0:
            self.cell_text.setHtml(_("Hover a cell to see its y vectors."))
            return
        names = m.spec.class_names
        header = "".join(f"<th style='white-space:nowrap'>{h}</th>" for h in ("", "p_c", "b_x", "b_y", "b_h", "b_w", *(_(n) for n in names)))
        body = []
        for a in range(m.spec.num_anchors):
            t = m.encoded.y[r, c, a]
            body.append("<tr><td style='white-space:nowrap'>%s</td>%s</tr>" % (_("target a{k}").format(k=a), "".join(f"<td style='white-space:nowrap'>{v:.2f}</td>" for v in t)))
            if m.prediction is not None:
                pv = m.prediction.y[r, c, a]
                body.append("<tr><td style='white-space:nowrap'><i>%s</i></td>%s</tr>" % (_("output a{k}").format(k=a), "".join(f"<td style='white-space:nowrap'><i>{v:.2f}</i></td>" for v in pv)))
        self.cell_text.setHtml(
            _("<b>Cell ({row}, {col})</b>: y = [p_c, b_x, b_y, b_h, b_w, c_1..c_{k}] per anchor "
              "(b_x, b_y inside the cell 0..1; b_h, b_w in cell units). <i>Output</i>: the trained network's activated y.").format(
                row=r, col=c, k=len(names))
            + f"<table border='0' cellspacing='2' cellpadding='2'><tr>{header}</tr>{''.join(body)}</table>"
        )

    def _sliding_example(self, state: dict) -> None:
        """A course example on sliding windows: the Sliding windows tab, and the example's window size(s) and stride."""
        self.tabs.setCurrentIndex(0)
        # the several-sizes pane slides the example's own windows over its image, not the sizes of an earlier run
        sizes = list(state.get("windows") or ([state["window"]] if "window" in state else []))
        if not sizes:
            return
        self._sizes_started = True  # the example's sizes, not the default ones, fill the table
        for spin, value in zip(self.size_spins, sizes + [0] * len(self.size_spins)):
            with QSignalBlocker(spin):
                spin.setValue(int(value))
        with QSignalBlocker(self.sizes_stride_spin):
            self.sizes_stride_spin.setValue(int(state.get("stride", self.sizes_model.stride)))
        self._run_sizes_when_free()

    def _run_sizes_when_free(self) -> None:
        """Run the sizes now, or once the run in progress has stopped (it is cancelled)."""
        if self.sizes_model.busy:
            self.sizes_model.cancel()
            QTimer.singleShot(50, self._run_sizes_when_free)
            return
        self.run_sizes()

    def _sandbox_example(self, state: dict) -> None:
        """A course example's grid, anchors and objects in the grid sandbox, on a blank picture."""
        box = self.sandbox
        with QSignalBlocker(box.photo_combo):
            box.photo_combo.setCurrentIndex(0)
        box.model.apply_example(state)
        self.tabs.setCurrentWidget(box)

    # -- panel hooks -------------------------------------------------------------

    def activate(self) -> None:
        if self._started:
            return
        self._started = True
        self.model.load_classifier()
        self.model.run_comparison()
        self.model.load_detector()
        self._show_detector()

    def retranslate(self) -> None:
        """Re-render composed texts: input names and shapes, results, training state, the inspected cell, the sandbox."""
        for i in range(self.input_combo.count()):
            self.input_combo.setItemText(i, _input_text(self.input_combo.itemData(i)))
        for i in range(self.grid_combo.count()):
            s = self.grid_combo.itemData(i)
            self.grid_combo.setItemText(i, _("{s}×{s} ({px} px input)").format(s=s, px=s * 16))
        self._show_legend()
        if self.model.comparison is not None:
            self._show_comparison()
        self._show_classifier()
        self._show_sizes()
        self.train_status.setText(self.model.train_message)
        self._show_detector()
        self.loss_plot.retranslate()
        self._show_scene()
        self.sandbox.refresh()

    def screenshot_ready(self) -> bool:
        return self.model.comparison is not None and self.model.scene is not None and bool(self.sizes_model.runs)

    def shutdown(self) -> None:
        self.model.cancel_training()
        self.sizes_model.cancel()
