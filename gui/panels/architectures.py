"""Architectures: classic CNNs (and the user's own model files) as a layer table and a block diagram,
plus the 1x1 bottleneck calculator."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine.arch import zoo
from engine.arch.layer_outputs import channel_grid, layer_outputs_job
from engine.arch.summary import format_shape, parse_shape
from engine.arch.user_model import ModelFileError
from engine.i18n import _
from engine.io import ImageLoadError, load_image
from engine.samples import sample_image

from ..panel import Panel
from ..widgets.arch_bottleneck import BottleneckCalculator
from ..widgets.arch_diagram import ArchDiagramView
from ..widgets.arch_outputs import ArchLayerOutputs
from ..widgets.arch_table import ArchLayerTable
from .architectures_model import ArchitecturesModel
from ..dialogs import ask_image_path

__all__ = ["ArchitecturesPanel"]

DEFAULT_MODEL = "resnet18"


def _si(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


class ArchitecturesPanel(Panel):
    panel_id = "architectures"
    title = N_("Architectures")
    summary = N_("LeNet-5 to ResNet and GoogLeNet, or your own model file: layer shapes, parameters, MACs, receptive fields")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ArchitecturesModel(self)
        self._job = None

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Architecture:"))
        self.chooser = QComboBox()
        for name in zoo.names():
            spec = zoo.spec(name)
            self.chooser.addItem(f"{spec.title} ({spec.year})", name)
        self.chooser.setMinimumContentsLength(22)
        bar.addWidget(self.chooser)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Input C×H×W:"))
        self.input_edit = QLineEdit()
        self.input_edit.setMaximumWidth(120)
        self.input_edit.setToolTip("Input shape, e.g. 3x224x224. Empty = the model's default.")
        bar.addWidget(self.input_edit)
        self.leaves_only = QCheckBox("Layers only")
        self.leaves_only.setToolTip("Hide container modules (Sequential, residual blocks, Inception modules)")
        bar.addWidget(self.leaves_only)
        bar.addStretch(1)
        self.open_button = QPushButton("Open model file…")
        self.open_button.setToolTip("A TorchScript file (torch.jit.save) or an exported program (torch.export.save)")
        bar.addWidget(self.open_button)
        layout.addLayout(bar)

        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info)

        self.table = ArchLayerTable()
        self.diagram = ArchDiagramView()
        self.calculator = BottleneckCalculator()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.diagram, "Block diagram")
        self.tabs.addTab(self.calculator, "1×1 bottleneck calculator")
        self.outputs = ArchLayerOutputs()
        self.tabs.addTab(self.outputs, "Layer outputs")
        self._outputs = None  # LayerOutputs of the current user model and image
        self._outputs_key: tuple | None = None
        self._outputs_job = None
        self._image_label = "astronaut"
        self._image = sample_image("astronaut")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([690, 410])
        layout.addWidget(self.splitter, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        # bindings
        self.chooser.currentIndexChanged.connect(self._chooser_changed)
        self.input_edit.editingFinished.connect(self._input_changed)
        self.leaves_only.toggled.connect(lambda _: self.table.set_summary(self.model.summary, self.leaves_only.isChecked()) or self.table.select_name(self.model.selected))
        self.open_button.clicked.connect(self._open_dialog)
        self.table.rowClicked.connect(self.model.set_selected)
        self.diagram.rowClicked.connect(self._diagram_clicked)
        self.calculator.paramsChanged.connect(lambda p: self.model.set_bottleneck(**p))
        self.model.summaryChanged.connect(self._show_summary)
        self.model.selectionChanged.connect(self._show_selection)
        self.model.bottleneckChanged.connect(self.calculator.show_cost)
        self.model.errorChanged.connect(self._show_error)
        self.model.busyChanged.connect(lambda busy: self.message.setText("Computing the summary…" if busy else self.model.error))
        self.outputs.sampleChosen.connect(self._sample_chosen)
        self.outputs.fileRequested.connect(self._image_dialog)
        self.outputs.featureMapsRequested.connect(lambda: self.ctx.switch_to("feature_maps"))
        self.tabs.currentChanged.connect(lambda _: self._refresh_outputs())
        self.model.exampleApplied.connect(self._example_applied)

        self.calculator.set_params(self.model.bottleneck_params)
        self.calculator.show_cost(self.model.bottleneck)
        start = str(ctx.settings.value("architectures/model", DEFAULT_MODEL))
        if start not in zoo.MODELS:
            start = DEFAULT_MODEL
        self.choose(start)

    # -- actions (also used by tests) --

    def choose(self, source: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Show zoo model ``source`` (or an opened file's key) at ``input_shape`` (None = default)."""
        index = self.chooser.findData(source)
        with QSignalBlocker(self.chooser):
            self.chooser.setCurrentIndex(index)
        with QSignalBlocker(self.input_edit):
            self.input_edit.setText("x".join(map(str, input_shape)) if input_shape else "")
        self.input_edit.setPlaceholderText("x".join(map(str, self._default_shape(source))))
        self.model.set_source(source, input_shape)
        if source in zoo.MODELS:
            self.ctx.settings.setValue("architectures/model", source)
        self._request_summary()

    def _example_applied(self, state: dict) -> None:
        """A course example was applied to the model: show its model or its calculator."""
        self.calculator.set_params(self.model.bottleneck_params)
        if "calculator" in state:
            self.tabs.setCurrentWidget(self.calculator)
        else:
            self.choose(self.model.source, self.model.input_shape)

    def _default_shape(self, source: str) -> tuple[int, ...]:
        if source in zoo.MODELS:
            return zoo.spec(source).input_shape
        um = self.model.user_models.get(source)
        return um.default_input_shape() if um is not None else (3, 224, 224)

    def open_model_file(self, path: str | Path) -> bool:
        """Open a TorchScript / exported program file and show it; errors are shown, never raised."""
        try:
            key = self.model.open_file(path)
        except ModelFileError as exc:
            self.model.set_error(str(exc))
            self.ctx.show_error(_("Cannot open the model"), str(exc), "")
            return False
        if self.chooser.findData(key) < 0:
            self.chooser.addItem(f"File: {Path(path).name}", key)
        self.choose(key)
        return True

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a model file", str(Path.home()),
            "Model files (*.pt *.pt2 *.pth *.ts *.zip);;All files (*)",
        )
        if path:
            self.open_model_file(path)

    def _chooser_changed(self, index: int) -> None:
        source = self.chooser.itemData(index)
        if source:
            self.choose(source)

    def _input_changed(self) -> None:
        text = self.input_edit.text().strip()
        try:
            shape = parse_shape(text) if text else None
        except ValueError as exc:
            self.model.set_error(str(exc))
            return
        if shape != self.model.input_shape:
            self.model.set_source(self.model.source, shape)
            self._request_summary()

    def _request_summary(self) -> None:
        cached = self.model.cached()
        key = self.model.cache_key()
        if cached is not None:
            self.model.set_result(key, cached)
            return
        if self._job is not None and self._job.running:
            self._job.cancel()
        self.model.set_busy(True)
        self.diagram.set_placeholder("Computing…")

        def done(result, key=key) -> None:
            self.model.set_busy(False)
            self.model.set_result(key, result)

        def failed(exc: BaseException, tb: str, key=key) -> None:
            self.model.set_busy(False)
            if key == self.model.cache_key():
                self.model.set_error(str(exc))
                self.diagram.set_placeholder("No diagram: the model could not run")

        self._job = self.ctx.jobs.start(
            self.model.make_job(), label="Architecture summary", on_done=done, on_error=failed,
            on_cancelled=lambda _p: None,
        )

    def _diagram_clicked(self, name: str) -> None:
        if name:
            self.model.set_selected(name)

    # -- view updates --

    def _show_summary(self, summary) -> None:
        self.table.set_summary(summary, self.leaves_only.isChecked())
        self.diagram.set_diagram(self.model.diagram if summary is not None else None)
        if summary is None:
            self.info.setText("")
            return
        spec = self.model.spec()
        head = f"<b>{spec.title}</b> ({spec.year}, {spec.source}): {spec.description}." if spec else f"<b>{summary.name}</b> ({summary.root_type} file)."
        params = f"{summary.inference_params:,} parameters"
        if summary.inference_params != summary.total_params:
            params += f" ({summary.total_params:,} with the training-only auxiliary classifiers)"
        shape_in = "×".join(map(str, summary.input_shape))
        shape_out = "×".join(map(str, summary.output_shape or ()))
        self.info.setText(
            f"{head}<br>{params} · {_si(summary.inference_macs)} multiply-accumulates "
            f"({summary.inference_macs:,}) · input {shape_in} → output {shape_out}"
        )

    def _show_selection(self, name: str) -> None:
        self.table.select_name(name)
        self.diagram.select_row(name)
        self._refresh_outputs()
        if name and self.model.summary is not None:
            try:
                r = self.model.summary.row(name)
            except KeyError:
                return
            rf = f", receptive field {r.rf_text} px (jump {r.jump[0]})" if r.rf else ""
            self.message.setText(f"{r.name}: {r.type} → {r.shape_text or 'not run'}, {r.params:,} parameters, {r.macs:,} MACs{rf}")

    # -- layer outputs of opened model files --

    def set_input_image(self, rgb, label: str) -> None:
        """Use ``rgb`` ``(H, W, 3)`` uint8 as the input for the layer outputs."""
        self._image, self._image_label = rgb, label
        self._outputs, self._outputs_key = None, None
        self._refresh_outputs()

    def _sample_chosen(self, name: str) -> None:
        self.set_input_image(sample_image(name), name)

    def _image_dialog(self) -> None:
        path = ask_image_path(self, "Open an image", Path.home())
        if not path:
            return
        try:
            self.set_input_image(load_image(path), Path(path).name)
        except ImageLoadError as exc:
            self.outputs.show_note(str(exc))

    def _refresh_outputs(self) -> None:
        """Show the selected layer's channels (computing every layer's output once per model and image)."""
        if self.tabs.currentWidget() is not self.outputs:
            return
        um = self.model.user_models.get(self.model.source)
        if um is None:
            self.outputs.show_note(
                "Layer outputs are shown here for model files you open (Open model file…). The zoo models have "
                "random weights; for LeNet-5 trained on the digits and ImageNet models, use the Feature maps panel.",
                offer_feature_maps=True,
            )
            return
        key = (self.model.source, self.model.input_shape, self._image_label)
        if self._outputs is None or self._outputs_key != key:
            if self._outputs_job is not None and self._outputs_job.running:
                return  # its result arrives shortly
            self.outputs.show_note(f"Running {um.path.name} on {self._image_label}…")

            def done(result, key=key) -> None:
                self._outputs, self._outputs_key = result, key
                self._refresh_outputs()

            def failed(exc: BaseException, tb: str) -> None:
                self.outputs.show_note(f"The model could not run on the image: {exc}")

            self._outputs_job = self.ctx.jobs.start(
                layer_outputs_job(um, self._image, self.model.input_shape), label="Layer outputs",
                on_done=done, on_error=failed,
            )
            return
        name = self.model.selected
        t = self._outputs.maps.get(name) if name else None
        if t is None:
            self.outputs.show_note(f"Input: {self._image_label}, resized to {format_shape(tuple(self._outputs.x.shape[1:]))}, values 0..1.")
            self.outputs.show_grid(None, "Select a layer in the table or the diagram." if not name else f"{name} did not run.")
            return
        self.outputs.show_note(f"Input: {self._image_label}, resized to {format_shape(tuple(self._outputs.x.shape[1:]))}, values 0..1.")
        shown = min(int(t.shape[1]), 64) if t.dim() >= 3 else 1
        what = f"{shown} of {t.shape[1]} channels" if t.dim() >= 3 else f"{t.shape[-1]} values as one map"
        self.outputs.show_grid(
            channel_grid(t[0]),
            f"{name}: output {format_shape(tuple(t.shape[1:]))}, {what}; each scaled to its own range "
            f"(min {float(t.min()):.3g}, max {float(t.max()):.3g}).",
        )

    def _show_error(self, text: str) -> None:
        self.message.setText(text)

    def screenshot_ready(self) -> bool:
        return self.model.summary is not None or bool(self.model.error)

    def shutdown(self) -> None:
        if self._job is not None and self._job.running:
            self._job.cancel()
