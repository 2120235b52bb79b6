"""Style transfer: paint a photo in the style of another image and watch it form; fast style networks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.files import describe_os_error
from engine.i18n import N_, _, in_current_language
from engine.io import ImageLoadError
from engine.style import LAYER_NAMES, MemoryRefused

from ..panel import Panel
from ..widgets.form import Form, blend_slider, spin_box
from ..widgets.image_view import ImageView
from ..widgets.style_gram_view import StyleGramView
from ..widgets.style_image_slot import StyleImageSlot
from ..widgets.style_loss_plot import StyleLossPlot
from .style_fast_tab import FastStylesTab
from .style_transfer_model import (
    CONTENT_SAMPLES,
    STYLE_CHOICES,
    FastStyleModel,
    StyleTransferModel,
    loss_readout,
)

__all__ = ["StyleTransferPanel"]

_STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
_PRESERVE = ((N_("Off"), "none"), (N_("Luminance only (YCbCr)"), "luminance"), (N_("Luminance only (YIQ)"), "luminance-yiq"),
             (N_("Match style histogram"), "histogram"))
_BACKBONES = ((N_("VGG-19 (quality, download)"), "vgg19"), (N_("Random filters (offline fallback)"), "random"))
_INITS = ((N_("Content photo"), "content"), (N_("Style image"), "style"), (N_("Noise"), "noise"))


def _shown_language(text: str) -> str:
    """A catalogue text (e.g. the device label a run recorded) in the current language, whichever it was made in."""
    translated = _(text)
    return translated if translated != text else in_current_language(text)


def _weight_edit(tip: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(_("from strength"))
    edit.setValidator(QDoubleValidator(0.0, 1e30, 12))
    edit.setToolTip(tip)
    return edit


class StyleTransferPanel(FastStylesTab, Panel):
    panel_id = "style_transfer"
    title = N_("Style transfer")
    summary = N_("Paint a photo in the style of a painting and watch it form; train and apply fast style networks")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = StyleTransferModel(self)
        self.fast = FastStyleModel(self)
        self._job = None
        self._fast_job = None
        self._webcam_job = None
        self._refused_size = 0
        self._status: tuple[str, object] = ("text", "")  # what the status line says, re-rendered on a language switch
        self._gram_timer = QTimer(self, singleShot=True, interval=150)
        self._gram_timer.timeout.connect(self._refresh_gram)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_gatys_tab(), _("Optimization (Gatys)"))
        self.tabs.addTab(self._build_fast_tab(), _("Fast styles"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

        m = self.model
        m.contentChanged.connect(self._show_content)
        m.styleChanged.connect(self._show_style)
        m.paramsChanged.connect(self._params_to_view)
        m.outputChanged.connect(self._show_output)
        m.runningChanged.connect(self._update_buttons)
        self.fast.networkChanged.connect(self._show_network)
        self.fast.outputChanged.connect(self._show_fast_output)
        self.fast.curveChanged.connect(lambda: self.train_plot.set_records(self.fast.curve))
        self._show_content()
        self._show_style()
        self._params_to_view()
        self._show_output()
        self._refresh_backbone_notice()
        self._show_network()
        self._update_buttons()

    # ------------------------------------------------------------------ Gatys tab

    def _build_gatys_tab(self) -> QWidget:
        page = QWidget()
        # inputs
        self.content_slot = StyleImageSlot(_("Content photo"), CONTENT_SAMPLES + [n for n in STYLE_CHOICES if n not in CONTENT_SAMPLES],
                                           N_("Open the content photo"))
        self.style_slot = StyleImageSlot(_("Style image"), STYLE_CHOICES, N_("Open the style image"))
        self.swap_button = QPushButton(_("⇅ Swap content and style"))
        inputs = QVBoxLayout()
        inputs.addWidget(self.content_slot, 1)
        inputs.addWidget(self.style_slot, 1)
        inputs.addWidget(self.swap_button)
        inputs_box = QWidget()
        inputs_box.setLayout(inputs)
        inputs_box.setFixedWidth(214)  # with the controls, fits a 1024-wide window

        # output + curves / gram
        self.output_view = ImageView(N_("The stylised image appears here while it forms.\nPress Start."))
        self.output_caption = QLabel("")
        self.output_caption.setWordWrap(True)
        self.loss_plot = StyleLossPlot()
        self.gram_view = StyleGramView(list(_STYLE_LAYERS) + [l for l in LAYER_NAMES if l not in _STYLE_LAYERS])
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.loss_plot, _("Loss curves"))
        self.bottom_tabs.addTab(self.gram_view, _("Gram view"))
        self.bottom_tabs.setMaximumHeight(260)
        self.bottom_tabs.setCurrentWidget(self.gram_view)  # real content before the first run
        centre = QVBoxLayout()
        centre.addWidget(self.output_view, 3)
        centre.addWidget(self.output_caption)
        centre.addWidget(self.bottom_tabs, 2)

        # controls
        controls = QVBoxLayout()
        bb_box = QGroupBox(_("Feature network"))
        bb_layout = QVBoxLayout(bb_box)
        self.backbone_combo = QComboBox()
        for label, key in _BACKBONES:
            self.backbone_combo.addItem(_(label), key)
        self.backbone_notice = QLabel("")
        self.backbone_notice.setWordWrap(True)
        self.backbone_notice.setStyleSheet("color: #a15c00;")
        self.models_button = QPushButton(_("Get VGG-19 in Models…"))
        bb_layout.addWidget(self.backbone_combo)
        bb_layout.addWidget(self.backbone_notice)
        bb_layout.addWidget(self.models_button)
        controls.addWidget(bb_box)

        strength_box = QGroupBox(_("Style strength"))
        sl = QGridLayout(strength_box)
        self.strength_slider, self.strength_label = blend_slider(sl, N_("photo"), N_("painting"), wrap=True)
        basics = Form()
        self.size_spin = basics.spin(N_("Output size"), 32, 4096, step=64, unit=" px",
                                     tooltip=N_("Long side of the output. Above 512 px the run goes coarse to fine (256 → 512 → 1024 → …)."))
        self.steps_spin = basics.spin(N_("Steps"), 1, 5000, step=50)
        self.preserve_combo = QComboBox()
        for label, key in _PRESERVE:
            self.preserve_combo.addItem(_(label), key)
        basics.add(N_("Preserve colours"), self.preserve_combo)
        sl.addLayout(basics.layout, 2, 0, 1, 3)
        controls.addWidget(strength_box)

        self.advanced_toggle = QCheckBox(_("Advanced"))
        controls.addWidget(self.advanced_toggle)
        self.advanced_box = QGroupBox()
        adv = Form(self.advanced_box)
        self.alpha_edit = adv.add(N_("α (of J_content)"), _weight_edit(_("α, weight of the content cost J_content = ½‖a(C) − a(G)‖²")))
        self.beta_edit = adv.add(N_("β (of J_style)"), _weight_edit(_("β, weight of the style cost J_style = Σ w_l ‖G(S) − G(G)‖² / (2 n_H n_W n_C)²")))
        self.gamma_edit = adv.add(N_("γ (of TV)"), _weight_edit(_("γ, weight of the total variation TV (smoothness)")))
        self.content_layer_combo = QComboBox()
        self.content_layer_combo.addItems(LAYER_NAMES)
        adv.add(N_("Content layer"), self.content_layer_combo)
        self.layer_spins: dict[str, QSpinBox] = {}
        grid = QGridLayout()
        for i, layer in enumerate(_STYLE_LAYERS):
            # the tooltip names the layer: re-rendered on a language switch
            spin = spin_box(0, 100, unit=" %", tooltip=N_("Weight of {layer} in the style cost J_style"), layer=layer)
            self.layer_spins[layer] = spin
            grid.addWidget(QLabel(layer), i // 2, (i % 2) * 2)
            grid.addWidget(spin, i // 2, (i % 2) * 2 + 1)
        # the weights get the full width: beside a row label they would not fit the controls column
        adv.wide(QLabel(_("Style layer weights")))
        adv.wide(grid)
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItem("L-BFGS", "lbfgs")
        self.optimizer_combo.addItem("Adam", "adam")
        self.init_combo = QComboBox()
        for label, key in _INITS:
            self.init_combo.addItem(_(label), key)
        self.every_spin = spin_box(1, 500, tooltip=N_("Steps between preview updates"))
        adv.add(N_("Optimizer"), self.optimizer_combo)
        adv.add(N_("Start from"), self.init_combo)
        adv.add(N_("Preview every"), self.every_spin)
        self.advanced_box.setVisible(False)
        controls.addWidget(self.advanced_box)

        self.memory_label = QLabel("")
        self.memory_label.setWordWrap(True)
        controls.addWidget(self.memory_label)
        self.use_size_button = QPushButton("")
        self.use_size_button.setVisible(False)
        controls.addWidget(self.use_size_button)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(_("Start"))
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.save_button = QPushButton(_("Save PNG…"))
        for b in (self.start_button, self.cancel_button, self.save_button):
            buttons.addWidget(b)
        controls.addLayout(buttons)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        controls.addWidget(self.status_label)
        controls.addStretch(1)
        ctl_widget = QWidget()
        ctl_widget.setLayout(controls)
        scroll = QScrollArea()
        scroll.setWidget(ctl_widget)
        scroll.setWidgetResizable(True)
        # room for the vertical scroll bar that Advanced brings, so nothing is cut off on the right
        scroll.setFixedWidth(330 + scroll.verticalScrollBar().sizeHint().width())
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        row = QHBoxLayout(page)
        row.setContentsMargins(2, 2, 2, 2)
        row.addWidget(inputs_box)
        row.addLayout(centre, 1)
        row.addWidget(scroll)

        # wiring: view -> model
        self.content_slot.sampleChosen.connect(lambda n: self._load(self.model.load_content, n))
        self.content_slot.fileChosen.connect(lambda p: self._load(self.model.load_content, p))
        self.style_slot.sampleChosen.connect(lambda n: self._load(self.model.load_style, n))
        self.style_slot.fileChosen.connect(lambda p: self._load(self.model.load_style, p))
        self.swap_button.clicked.connect(self.model.swap)
        self.backbone_combo.currentIndexChanged.connect(lambda _arg: self._params_from_view())
        self.models_button.clicked.connect(lambda: self.ctx.switch_to("models"))
        self.strength_slider.valueChanged.connect(lambda _arg: self._params_from_view())
        for w in (self.size_spin, self.steps_spin, self.every_spin):
            w.valueChanged.connect(lambda _value: self._params_from_view())
        for w in (self.preserve_combo, self.optimizer_combo, self.init_combo, self.content_layer_combo):
            w.currentIndexChanged.connect(lambda _index: self._params_from_view())
        for w in (self.alpha_edit, self.beta_edit, self.gamma_edit):
            w.editingFinished.connect(self._params_from_view)
        for spin in self.layer_spins.values():
            spin.valueChanged.connect(lambda _arg: self._params_from_view())
        self.advanced_toggle.toggled.connect(self.advanced_box.setVisible)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(lambda: self.save())
        self.use_size_button.clicked.connect(self._use_offered_size)
        self.gram_view.layerChanged.connect(lambda _arg: self._gram_timer.start())
        return page

    # -- model -> view

    def _load(self, loader, spec: str) -> None:
        try:
            loader(spec)
        except (ImageLoadError, ValueError) as exc:
            self._status = ("text", str(exc))
            self._show_status()

    def _show_strength(self) -> None:
        p = self.model.params
        # the strength only chooses β (α = 1 and γ are fixed), so a β typed under Advanced overrides it
        if p.beta is not None:
            self.strength_label.setText(_("{s:.2f}  (no effect: β is set under Advanced)").format(s=p.style_strength))
        else:
            self.strength_label.setText(f"{p.style_strength:.2f}")

    def _progress(self, progress) -> None:
        self._status = ("text", progress.message)
        self._show_status()

    def _show_status(self) -> None:
        """The status line from ``self._status``: composed here, so a language switch re-renders it."""
        kind, payload = self._status
        if kind == "starting":
            text = _("Starting…")
        elif kind == "done":
            result = payload
            backbone = _("random filters (the offline fallback, see above)") if result.backbone == "random" else "VGG-19"
            text = _("Done in {sec:.1f} s on {device} with {backbone}. Save keeps the parameters in the PNG.").format(
                sec=result.seconds, device=_shown_language(result.device), backbone=backbone)
            if result.losses:
                text += "\n" + loss_readout(result.losses[-1])
        elif kind == "cancelled":
            text = _("Cancelled: the best image so far is kept.")
            if self.model.losses:
                text += "\n" + loss_readout(self.model.losses[-1])
        elif kind == "cancelled-early":
            text = _("Cancelled before the first step.")
        elif kind == "stopped":
            text = _("Stopped: {reason}").format(reason=payload)
        elif kind == "refused":
            exc = payload  # rebuilt, so its sentence is in the current language
            again = MemoryRefused(exc.size, exc.needed, exc.available, exc.suggested_size, exc.device)
            text = _("Not started: {reason}").format(reason=again)
        else:
            text = str(payload)
        self.status_label.setText(text)

    def _show_content(self) -> None:
        self.content_slot.show_image(self.model.content, self.model.content_name)
        self.fast.set_input(self.model.content)
        self._update_memory()
        if self.model.output is None:
            self._show_output()
        self._gram_timer.start()

    def _show_style(self) -> None:
        self.style_slot.show_image(self.model.style, self.model.style_name)
        self._gram_timer.start()

    def _params_to_view(self) -> None:
        p = self.model.params
        widgets = [self.backbone_combo, self.strength_slider, self.size_spin, self.steps_spin, self.every_spin, self.preserve_combo,
                   self.optimizer_combo, self.init_combo, self.content_layer_combo, *self.layer_spins.values()]
        blockers = [QSignalBlocker(w) for w in widgets]
        self.backbone_combo.setCurrentIndex(max(0, self.backbone_combo.findData(p.backbone)))
        self.strength_slider.setValue(round(p.style_strength * 100))
        self.size_spin.setValue(p.size)
        self.steps_spin.setValue(p.steps)
        self.every_spin.setValue(p.report_every)
        self.preserve_combo.setCurrentIndex(max(0, self.preserve_combo.findData(p.preserve_colors)))
        self.optimizer_combo.setCurrentIndex(max(0, self.optimizer_combo.findData(p.optimizer)))
        self.init_combo.setCurrentIndex(max(0, self.init_combo.findData(p.init)))
        self.content_layer_combo.setCurrentText(p.content_layer)
        for layer, spin in self.layer_spins.items():
            spin.setValue(round(100 * p.style_layers.get(layer, 0.0)))
        for edit, value in ((self.alpha_edit, p.alpha), (self.beta_edit, p.beta), (self.gamma_edit, p.gamma)):
            edit.setText("" if value is None else f"{value:g}")
        del blockers
        # the strength only chooses β (α = 1 and γ are fixed), so a β typed under Advanced overrides it
        self._show_strength()
        self._refresh_backbone_notice()
        self._update_memory()
        if self.model.output is None:
            self._show_output()

    def _params_from_view(self) -> None:
        def num(edit: QLineEdit) -> float | None:
            text = edit.text().strip().replace(",", ".")
            try:
                return float(text) if text else None
            except ValueError:
                return None

        self.use_size_button.setVisible(False)
        self.model.update_params(
            backbone=self.backbone_combo.currentData(),
            style_strength=self.strength_slider.value() / 100.0,
            size=self.size_spin.value(),
            steps=self.steps_spin.value(),
            report_every=self.every_spin.value(),
            preserve_colors=self.preserve_combo.currentData(),
            optimizer=self.optimizer_combo.currentData(),
            init=self.init_combo.currentData(),
            content_layer=self.content_layer_combo.currentText(),
            style_layers={l: s.value() / 100.0 for l, s in self.layer_spins.items() if s.value()},
            alpha=num(self.alpha_edit),
            beta=num(self.beta_edit),
            gamma=num(self.gamma_edit),
        )

    def _refresh_backbone_notice(self) -> None:
        wants_vgg = self.model.params.backbone == "vgg19"
        missing = not self.model.vgg19_installed()
        if wants_vgg and missing:
            text = _("VGG-19 weights are not installed, so the offline random-filter extractor will be used: "
                     "the lower-quality fallback (colours and textures, not brush strokes). Download VGG-19 (548 MB) for the quality result.")
        elif not wants_vgg:
            text = (_("Random filters: works offline, lower quality than VGG-19. VGG-19 is not installed.") if missing
                    else _("Random filters: works offline, lower quality than VGG-19."))
        else:
            text = _("VGG-19 with ImageNet weights is installed.")
        self.backbone_notice.setText(text)
        self.models_button.setVisible(missing)

    def _update_memory(self) -> None:
        try:
            est = self.model.memory_estimate()
        except Exception as exc:  # an estimate must never stop the panel
            self.memory_label.setText(_("Memory estimate unavailable: {reason}").format(reason=exc))
            return
        colour = "#1e7b34" if est.fits else "#b3261e"
        self.memory_label.setText(f"<span style='color:{colour}'>" + _("Memory: {estimate}").format(estimate=est.describe()) + "</span>")

    def _show_output(self) -> None:
        m = self.model
        if m.output is None and not m.running and m.params.init == "content":
            self.output_view.set_image(m.content)  # the run starts from the photo
        else:
            self.output_view.set_image(m.output)
        self.loss_plot.set_records(m.losses)
        if m.losses:
            last = m.losses[-1]
            self.output_caption.setText(_("step {step} · {size} px · {losses} · {sec} s").format(
                step=last.step, size=last.scale, losses=last.status_text(), sec=f"{last.seconds:.1f}"))
            self.output_caption.setToolTip(loss_readout(last))
        elif m.output is None and m.params.init == "content":
            self.output_caption.setText(_("Starting point: the content photo. Press Start to watch the style form; "
                                          "Cancel keeps the best image so far."))
            self.output_caption.setToolTip("")
        else:
            self.output_caption.setText("")
            self.output_caption.setToolTip("")
        self._update_buttons()
        self._gram_timer.start()

    def _refresh_gram(self) -> None:
        if not self.gram_view.isVisible() and self.model.running:
            return  # computed when the tab is shown; not while a run uses the processor
        try:
            style, out, label = self.model.gram_pair(self.gram_view.layer())
        except Exception as exc:
            self.gram_view.set_grams(None, None)
            self.gram_view.distance_label.setText(str(exc))
            return
        self.gram_view.set_grams(style, out, label)  # label: an English source text

    def _update_buttons(self, *_args) -> None:
        running = self.model.running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.save_button.setEnabled(self.model.best is not None and not running)

    # -- actions

    def open_image(self, path: Path) -> None:
        """File > Open and drops on the panel load the content photo (drop on the style box for the style).

        The tab stays as it is: on *Fast styles* the loaded network is applied to the new photo at once.
        """
        self.model.load_content(str(path))

    def start(self) -> None:
        if self.model.running:
            return
        self._params_from_view()
        est = self.model.memory_estimate()
        if not est.fits:
            self._offer_size(MemoryRefused(est.size, est.needed, est.available, self.model.suggested_size(est.available), est.device))
            return
        self.model.set_running(True)
        self.use_size_button.setVisible(False)
        self._status = ("starting", None)
        self._show_status()
        self.bottom_tabs.setCurrentWidget(self.loss_plot)
        self._job = self.ctx.jobs.start(
            self.model.make_job(),
            label=_("Style transfer"),
            on_progress=self._progress,
            on_partial=self.model.take_partial,
            on_done=self._done,
            on_error=self._failed,
            on_cancelled=self._cancelled,
        )

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _done(self, result) -> None:
        self._job = None
        self.model.take_result(result)
        self.model.set_running(False)
        if result.backbone == "random" and result.params.backbone == "vgg19":
            self.backbone_notice.setText(result.notice)  # why: also when VGG-19 looked installed but did not load
            self.models_button.setVisible(True)
        self._status = ("done", result)
        self._show_status()

    def _cancelled(self, partial) -> None:
        self._job = None
        self.model.keep_best(partial)
        self.model.set_running(False)
        self._status = ("cancelled" if partial is not None else "cancelled-early", None)
        self._show_status()

    def _failed(self, exc: BaseException, tb: str) -> None:
        self._job = None
        self.model.set_running(False)
        if isinstance(exc, MemoryRefused):
            self._offer_size(exc)
        else:
            self._status = ("stopped", str(exc))
            self._show_status()

    def _offer_size(self, exc: MemoryRefused) -> None:
        size = exc.suggested_size or self.model.suggested_size(exc.available)
        self._status = ("refused", exc)
        self._show_status()
        self._refused_size = size
        if size:
            self.use_size_button.setText(_("Use {size} px instead").format(size=size))
            self.use_size_button.setVisible(True)

    def _use_offered_size(self) -> None:
        if self._refused_size:
            self.model.update_params(size=self._refused_size)
        self.use_size_button.setVisible(False)

    def save(self, path: str | None = None) -> Path | None:
        if self.model.best is None:
            return None
        if not path:
            default = str(Path.home() / f"{self.model.content_name}-{self.model.style_name}.png")
            path, _filter = QFileDialog.getSaveFileName(self, _("Save stylised image"), default, _("PNG image (*.png)"))
            if not path:
                return None
        try:
            saved = self.model.save(path)
        except OSError as exc:  # disk full, no permission: one line; an older file of that name is kept
            self._status = ("text", _("Not saved: {reason}").format(reason=describe_os_error(exc, path)))
            self._show_status()
            return None
        except ValueError as exc:
            self._status = ("text", _("Not saved: {reason}").format(reason=exc))
            self._show_status()
            return None
        self._status = ("text", _("Saved {file} (parameters in its PNG metadata)").format(file=saved))
        self._show_status()
        return saved

    # ------------------------------------------------------------------ lifecycle

    def screenshot_ready(self) -> bool:
        """Ready once the Gram view shows its matrices (or reported why it cannot)."""
        return self.gram_view.style_view.has_image() or bool(self.gram_view.distance_label.text())

    def retranslate(self) -> None:
        """Re-render the composed texts: readouts, notices, the status line, plot legends."""
        self._show_strength()
        self._refresh_backbone_notice()
        self._update_memory()
        self._show_output()
        self._show_status()
        if self.use_size_button.isVisible() and self._refused_size:
            self.use_size_button.setText(_("Use {size} px instead").format(size=self._refused_size))
        self.gram_view.retranslate()
        self.loss_plot.retranslate()
        self.train_plot.retranslate()
        self._show_network()
        self._fast_strength_label()
        self._warn_short_training(self.train_steps.value())

    def activate(self) -> None:
        self._refresh_backbone_notice()
        self._update_memory()

    def deactivate(self) -> None:
        if self._webcam_job is not None:
            self._webcam_job.cancel()

    def shutdown(self) -> None:
        for job in (self._job, self._fast_job, self._webcam_job):
            if job is not None:
                job.cancel()
