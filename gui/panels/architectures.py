"""Architectures: classic CNNs (and the user's own model files) as a layer table and a block diagram,
plus the 1x1 bottleneck calculator."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.arch import zoo
from engine.arch.diagram import layout
from engine.arch.layer_outputs import channel_grid, layer_outputs_job
from engine.arch.summary import parse_shape
from engine.arch.user_model import ModelFileError
from engine.i18n import N_, _
from engine.io import ImageLoadError, load_image
from engine.shapes import display_order, format_shape, order_label, reorder
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
#: The version the course walks, for each family with several (the papers' networks first).
COURSE_DEFAULTS = {"alexnet": "alexnet-paper", "googlenet": zoo.DEFAULT_GOOGLENET}

#: The residual block's formula (He et al. 2016), printed beside ResNet diagrams.
RESIDUAL_FORMULA = "x<sub>l+1</sub> = x<sub>l</sub> + F(x<sub>l</sub>, W<sub>l</sub>)"
PROJECTION_FORMULA = "h(x<sub>l</sub>) = W′<sub>l</sub>·x<sub>l</sub>"


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
        bar.addWidget(QLabel(_("Architecture:")))
        self.chooser = QComboBox()
        for name in zoo.names():
            self.chooser.addItem("", name)
        self.chooser.setMinimumContentsLength(22)
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        bar.addWidget(self.chooser, 1)
        bar.addSpacing(12)
        self.input_label = QLabel("")
        bar.addWidget(self.input_label)
        self.input_edit = QLineEdit()
        self.input_edit.setMaximumWidth(120)
        bar.addWidget(self.input_edit)
        self.leaves_only = QCheckBox(_("Layers only"))
        self.leaves_only.setToolTip(_("Hide container modules (Sequential, residual blocks, Inception modules)"))
        bar.addWidget(self.leaves_only)
        self.open_button = QPushButton(_("Open model file…"))
        self.open_button.setToolTip(_("A TorchScript file (torch.jit.save) or an exported program (torch.export.save)"))
        bar.addWidget(self.open_button)
        layout.addLayout(bar)

        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info)

        self.table = ArchLayerTable()
        self.diagram = ArchDiagramView()
        self.residual_note = QLabel("")
        self.residual_note.setWordWrap(True)
        self.residual_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.residual_note.setVisible(False)
        diagram_page = QWidget()
        dl = QVBoxLayout(diagram_page)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.residual_note)
        dl.addWidget(self.diagram, 1)
        self.calculator = BottleneckCalculator()
        self.tabs = QTabWidget()
        self.tabs.addTab(diagram_page, _("Block diagram"))
        # scrolls instead of squeezing its spin boxes and table on short windows
        self.calculator_page = QScrollArea()
        self.calculator_page.setWidgetResizable(True)
        self.calculator_page.setFrameShape(QFrame.Shape.NoFrame)
        self.calculator_page.setWidget(self.calculator)
        self.tabs.addTab(self.calculator_page, _("1×1 bottleneck"))
        self.outputs = ArchLayerOutputs()
        self.tabs.addTab(self.outputs, _("Layer outputs"))
        self._outputs = None  # LayerOutputs of the current user model and image
        self._outputs_key: tuple | None = None
        self._outputs_job = None
        self._outputs_note: tuple[str, bool] | None = None
        self._image_label = "astronaut"
        self._image = sample_image("astronaut")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([600, 500])
        layout.addWidget(self.splitter, 1)
        self._natural_table_width = 0
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        # bindings
        self.chooser.currentIndexChanged.connect(self._chooser_changed)
        self.input_edit.editingFinished.connect(self._input_changed)
        self.leaves_only.toggled.connect(self._leaves_toggled)
        self.open_button.clicked.connect(self._open_dialog)
        self.table.rowClicked.connect(self.model.set_selected)
        self.diagram.rowClicked.connect(self._diagram_clicked)
        self.calculator.paramsChanged.connect(lambda p: self.model.set_bottleneck(**p))
        self.model.summaryChanged.connect(self._show_summary)
        self.model.selectionChanged.connect(self._show_selection)
        self.model.bottleneckChanged.connect(self.calculator.show_cost)
        self.model.errorChanged.connect(self._show_error)
        self.model.busyChanged.connect(lambda busy: self.message.setText(_("Computing the summary…") if busy else self.model.error))
        self.outputs.sampleChosen.connect(self._sample_chosen)
        self.outputs.fileRequested.connect(self._image_dialog)
        self.outputs.featureMapsRequested.connect(lambda: self.ctx.switch_to("feature_maps"))
        self.tabs.currentChanged.connect(lambda _index: self._refresh_outputs())
        self.model.exampleApplied.connect(self._example_applied)

        self._render_static()
        self.calculator.set_params(self.model.bottleneck_params)
        self.calculator.show_cost(self.model.bottleneck)
        start = str(ctx.settings.value("architectures/model", DEFAULT_MODEL))
        if start not in zoo.MODELS:
            start = DEFAULT_MODEL
        self.choose(start)

    # -- texts composed here (re-rendered on a language or notation change) --

    def _chooser_text(self, source: str) -> str:
        if source in zoo.MODELS:
            spec = zoo.spec(source)
            return _("{title} ({year})").format(title=_(spec.title), year=spec.year)
        return _("File: {name}").format(name=Path(source.removeprefix("file:")).name)

    def _render_static(self) -> None:
        """Chooser titles, the input field's label, tooltip and text in the current language and notation."""
        for i in range(self.chooser.count()):
            self.chooser.setItemText(i, self._chooser_text(self.chooser.itemData(i)))
        order = order_label(display_order())
        self.input_label.setText(_("Input {order}:").format(order=order))
        self.input_edit.setToolTip(_("Input shape in {order} order, e.g. {example}. Empty = the model's default.")
                                   .format(order=order, example=self._input_text((3, 224, 224))))
        with QSignalBlocker(self.input_edit):
            self.input_edit.setText(self._input_text(self.model.input_shape) if self.model.input_shape else "")
        self.input_edit.setPlaceholderText(self._input_text(self._default_shape(self.model.source)))

    @staticmethod
    def _input_text(shape: tuple[int, ...]) -> str:
        """A (C, H, W) input shape as typed in the current notation: ``227x227x3`` (H×W×C) or ``3x227x227``."""
        return format_shape(shape, label=False).replace("×", "x")

    @staticmethod
    def _parse_input(text: str) -> tuple[int, ...]:
        """The typed shape (in the current notation) as the model's (C, H, W); raises ``ValueError``."""
        shape = parse_shape(text)
        return reorder(shape, "chw", display_order()) if len(shape) == 3 else shape

    def retranslate(self) -> None:
        self._render_static()
        self.calculator.retranslate()
        self.table.retranslate()
        if self.model.summary is not None:
            self.model.relayout()
            self.diagram.set_diagram(self.model.diagram)
            self.diagram.select_row(self.model.selected)
        self._show_info(self.model.summary)
        self._show_selection(self.model.selected)
        if self._outputs_note is not None:
            self.outputs.show_note(*self._outputs_note)
        self._refresh_outputs()

    # -- actions (also used by tests) --

    def choose(self, source: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Show zoo model ``source`` (or an opened file's key) at ``input_shape`` (``(C, H, W)``, None = default).
        ``source`` is an exact entry; :meth:`choose_course` picks the paper version of a family."""
        index = self.chooser.findData(source)
        with QSignalBlocker(self.chooser):
            self.chooser.setCurrentIndex(index)
        self.model.set_source(source, input_shape)
        with QSignalBlocker(self.input_edit):
            self.input_edit.setText(self._input_text(input_shape) if input_shape else "")
        self.input_edit.setPlaceholderText(self._input_text(self._default_shape(source)))
        if source in zoo.MODELS:
            self.ctx.settings.setValue("architectures/model", source)
        self._request_summary()

    def choose_course(self, family: str) -> str:
        """Show the version of ``family`` (``"alexnet"``, ``"googlenet"``) the course walks: the paper's. Returns its name."""
        name = COURSE_DEFAULTS.get(family, family)
        self.choose(name)
        return name

    def _leaves_toggled(self, checked: bool) -> None:
        self.table.set_summary(self.model.summary, checked)
        self._fit_splitter()
        self.table.select_name(self.model.selected)

    def _example_applied(self, state: dict) -> None:
        """A course example was applied to the model: show its model or its calculator."""
        self.calculator.set_params(self.model.bottleneck_params)
        self.choose(self.model.source, self.model.input_shape)
        # the calculator for a calculator example, else the block diagram: never the tab an earlier example left
        self.tabs.setCurrentWidget(self.calculator_page if "calculator" in state else self.tabs.widget(0))

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
            self.chooser.addItem(self._chooser_text(key), key)
        self.choose(key)
        return True

    def _open_dialog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open a model file"), str(Path.home()),
            _("Model files (*.pt *.pt2 *.pth *.ts *.zip);;All files (*)"),
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
            shape = self._parse_input(text) if text else None
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
        self.diagram.set_placeholder(_("Computing…"))

        def done(result, key=key) -> None:
            self.model.set_busy(False)
            self.model.set_result(key, result)

        def failed(exc: BaseException, tb: str, key=key) -> None:
            self.model.set_busy(False)
            if key == self.model.cache_key():
                self.model.set_error(str(exc))
                self.diagram.set_placeholder(_("No diagram: the model could not run"))

        self._job = self.ctx.jobs.start(
            self.model.make_job(), label=_("Architecture summary"), on_done=done, on_error=failed,
            on_cancelled=lambda _p: None,
        )

    def _diagram_clicked(self, name: str) -> None:
        if name:
            self.model.set_selected(name)

    # -- view updates --

    def _show_summary(self, summary) -> None:
        self.table.set_summary(summary, self.leaves_only.isChecked())
        self._fit_splitter()
        self.diagram.set_diagram(self.model.diagram if summary is not None else None)
        self._show_info(summary)

    def _show_info(self, summary) -> None:
        """The model's title, note, totals and the residual formula (when it has residual blocks)."""
        if summary is None:
            self.info.setText("")
            self.residual_note.setVisible(False)
            return
        spec = self.model.spec()
        if spec is not None:
            source = "torchvision" if spec.source == "torchvision" else "ConvStudio"
            head = _("<b>{title}</b> ({year}, {source}): {description}.").format(
                title=_(spec.title), year=spec.year, source=source, description=_(spec.description))
            if spec.info:
                head += "<br><i>" + _(spec.info) + "</i>"
        else:
            head = _("<b>{name}</b> ({type} file).").format(name=summary.name, type=summary.root_type)
        if summary.inference_params != summary.total_params:
            params = _("{n:,} parameters ({total:,} with the training-only auxiliary classifiers)").format(
                n=summary.inference_params, total=summary.total_params)
        else:
            params = _("{n:,} parameters").format(n=summary.inference_params)
        self.info.setText(head + "<br>" + _(
            "{params} · {macs_si} multiply-accumulates ({macs:,}) · input {shape_in} → output {shape_out}").format(
            params=params, macs_si=_si(summary.inference_macs), macs=summary.inference_macs,
            shape_in=format_shape(summary.input_shape), shape_out=format_shape(summary.output_shape) or "–"))
        residual = [r for r in summary.rows if r.residual]
        if residual:
            projections = sum(1 for r in residual if any(c.rpartition(".")[2] in ("downsample", "shortcut") for c in r.children))
            text = _("Residual block: {formula}, with F the block's layers and x<sub>l</sub> carried by the skip connection.").format(
                formula=RESIDUAL_FORMULA)
            if projections:
                text += "<br>" + _("Where the shape changes ({n} blocks here), a 1×1 projection shortcut: {formula}.").format(
                    n=projections, formula=PROJECTION_FORMULA)
            self.residual_note.setText(text)
        self.residual_note.setVisible(bool(residual))

    def _show_selection(self, name: str) -> None:
        self.table.select_name(name)
        self.diagram.select_row(name)
        self._refresh_outputs()
        if name and self.model.summary is not None:
            try:
                r = self.model.summary.row(name)
            except KeyError:
                return
            shape = format_shape(r.output_shape) or _("not run")
            if r.rf:
                text = _("{name}: {type} → {shape}, {params:,} parameters, {macs:,} MACs, "
                         "receptive field {rf} px (jump {jump})").format(
                    name=r.name, type=r.type, shape=shape, params=r.params, macs=r.macs, rf=r.rf_text, jump=r.jump[0])
            else:
                text = _("{name}: {type} → {shape}, {params:,} parameters, {macs:,} MACs").format(
                    name=r.name, type=r.type, shape=shape, params=r.params, macs=r.macs)
            if r.training_only:
                text += " " + _("(used only while training)")
            self.message.setText(text)

    # -- layer outputs of opened model files --

    def set_input_image(self, rgb, label: str) -> None:
        """Use ``rgb`` ``(H, W, 3)`` uint8 as the input for the layer outputs."""
        self._image, self._image_label = rgb, label
        self._outputs, self._outputs_key = None, None
        self._refresh_outputs()

    def _sample_chosen(self, name: str) -> None:
        self.set_input_image(sample_image(name), name)

    def _image_dialog(self) -> None:
        path = ask_image_path(self, _("Open an image"), Path.home())
        if not path:
            return
        try:
            self.set_input_image(load_image(path), Path(path).name)
        except ImageLoadError as exc:
            self._note(str(exc))

    def _refresh_outputs(self) -> None:
        """Show the selected layer's channels (computing every layer's output once per model and image)."""
        if self.tabs.currentWidget() is not self.outputs:
            return
        um = self.model.user_models.get(self.model.source)
        if um is None:
            self._note(
                _("Layer outputs are shown here for model files you open (Open model file…). The zoo models have "
                  "random weights; for LeNet-5 trained on the digits and ImageNet models, use the Feature maps panel."),
                offer_feature_maps=True,
            )
            return
        key = (self.model.source, self.model.input_shape, self._image_label)
        if self._outputs is None or self._outputs_key != key:
            if self._outputs_job is not None and self._outputs_job.running:
                return  # its result arrives shortly
            self._note(_("Running {file} on {image}…").format(file=um.path.name, image=self._image_label))

            def done(result, key=key) -> None:
                self._outputs, self._outputs_key = result, key
                self._refresh_outputs()

            def failed(exc: BaseException, tb: str) -> None:
                self._note(_("The model could not run on the image: {reason}").format(reason=exc))

            self._outputs_job = self.ctx.jobs.start(
                layer_outputs_job(um, self._image, self.model.input_shape), label=_("Layer outputs"),
                on_done=done, on_error=failed,
            )
            return
        name = self.model.selected
        t = self._outputs.maps.get(name) if name else None
        self._note(_("Input: {image}, resized to {shape}, values 0..1.").format(
            image=self._image_label, shape=format_shape(tuple(self._outputs.x.shape[1:]))))
        if t is None:
            self.outputs.show_grid(None, _("Select a layer in the table or the diagram.") if not name
                                   else _("{name} did not run.").format(name=name))
            return
        if t.dim() >= 3:
            caption = _("{name}: output {shape}, {shown} of {channels} channels; each scaled to its own range "
                        "(min {lo:.3g}, max {hi:.3g}).")
        else:
            caption = _("{name}: output {shape}, {values} values as one map; scaled to its range "
                        "(min {lo:.3g}, max {hi:.3g}).")
        self.outputs.show_grid(channel_grid(t[0]), caption.format(
            name=name, shape=format_shape(tuple(t.shape[1:])), shown=min(int(t.shape[1]), 64) if t.dim() >= 3 else 1,
            channels=int(t.shape[1]) if t.dim() >= 2 else 1, values=int(t.shape[-1]),
            lo=float(t.min()), hi=float(t.max())))

    def _note(self, text: str, offer_feature_maps: bool = False) -> None:
        self._outputs_note = (text, offer_feature_maps)
        self.outputs.show_note(text, offer_feature_maps)

    def _show_error(self, text: str) -> None:
        self.message.setText(text)

    #: width the diagram and the other tabs keep beside the table before they move below it
    SIDE_TABS_WIDTH = 380

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_splitter()

    def _fit_splitter(self) -> None:
        """Table and tabs side by side when the table fits whole beside the tabs; else the tabs go below the table,
        so that no column of numbers needs a horizontal scroll bar."""
        natural = self.table.natural_width()
        room = self.splitter.width()
        side_by_side = room >= natural + self.SIDE_TABS_WIDTH + self.splitter.handleWidth()
        wanted = Qt.Orientation.Horizontal if side_by_side else Qt.Orientation.Vertical
        if wanted != self.splitter.orientation() or natural != self._natural_table_width:
            self._natural_table_width = natural
            self.splitter.setOrientation(wanted)
            if side_by_side:
                self.splitter.setSizes([natural, room - natural])
            else:
                self.splitter.setSizes([self.splitter.height() // 2, self.splitter.height() - self.splitter.height() // 2])

    def screenshot_ready(self) -> bool:
        return self.model.summary is not None or bool(self.model.error)

    def shutdown(self) -> None:
        if self._job is not None and self._job.running:
            self._job.cancel()
