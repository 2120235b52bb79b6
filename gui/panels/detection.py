"""Detection: live object detection with the boxes before and after NMS, and three teaching views."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.detect.class_names import display_class_name
from engine.i18n import N_, _, join_list
from engine.detect import detector_choices
from engine.detect.outputs import JsonlExporter, RecordError, VideoRecorder
from engine.detect.sources import list_cameras
from engine.detect.torchvision_detectors import TORCHVISION_MODELS

from ..panel import Panel
from ..widgets.detect_anchors import AnchorView
from ..widgets.detect_iou import IouPlayground
from ..widgets.detect_nms import NmsStepView
from ..widgets.detect_sandbox import NmsSandbox
from ..widgets.image_view import ImageView
from .detection_model import DetectionModel
from .detection_live import DEMO_PHOTOS, LiveLoop
from .detection_teaching import TeachingViews
from .detection_worker import DetectionWorker

__all__ = ["DetectionPanel"]

#: architectures whose anchors the Anchors tab draws (every torchvision COCO detector)
_ANCHOR_MODELS = tuple(TORCHVISION_MODELS)


def _legend_text() -> str:
    return ("<b>" + _("Reading the picture") + "</b><br>" + _("Bold boxes: kept after non-max suppression, with class and score.") + "<br>"
            + _("Thin faded boxes: the raw candidates above the score threshold, before NMS.") + "<br>"
            + _("<b>Score</b> drops weak candidates; <b>NMS IoU</b> is how much overlap with a better box gets a box removed "
                "(lower = fewer, higher = more duplicates). The other tabs show IoU, NMS step by step, and anchors."))


def _detector_title(title: str) -> str:
    """A chooser title in the current language (the trained grid detector's title carries its mAP after a comma)."""
    from engine.yolo.detector import TRAINED_TITLE

    if title.startswith(TRAINED_TITLE):
        return _(TRAINED_TITLE) + title[len(TRAINED_TITLE):]
    return _(title)


def _slider(value: float) -> QSlider:
    s = QSlider(Qt.Orientation.Horizontal)
    s.setRange(0, 100)
    s.setValue(round(value * 100))
    return s


class DetectionPanel(LiveLoop, TeachingViews, Panel):
    panel_id = "detection"
    title = N_("Detection")
    summary = N_("Live object detection with the boxes before and after non-max suppression")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = DetectionModel(self)
        self.worker: DetectionWorker | None = None
        self._old_workers: list[DetectionWorker] = []
        self.last_result = None
        self._last_with_boxes = None  # the last frame shown in this run that had candidate boxes (for Freeze frame)
        self.recorder: VideoRecorder | None = None
        self.exporter: JsonlExporter | None = None
        self._frames_shown = 0
        self._failing: str | None = None
        self._skipped_shown = 0
        self._active = False
        self._build()
        self._bind()
        self._sync_from_model()
        self._follow_detector_anchors()

    # -- layout --

    def _build(self) -> None:
        root = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split)
        controls = QWidget()
        form_box = QVBoxLayout(controls)
        form_box.setContentsMargins(4, 4, 8, 4)

        src = QGroupBox(_("Source"))
        f = QFormLayout(src)
        self.source_combo = QComboBox()
        self._fill_sources([])
        self.scan_button = QPushButton(_("Find cameras"))
        self.resolution_combo = QComboBox()
        self.resolution_combo.addItem(_("camera default"), None)
        for w, h in ((640, 480), (1280, 720), (1920, 1080)):
            self.resolution_combo.addItem(f"{w}×{h}", (w, h))
        self.every_frame_check = QCheckBox(_("Every frame (files: no drops, at the detector's pace)"))
        row = QHBoxLayout()
        row.addWidget(self.source_combo, 1)
        row.addWidget(self.scan_button)
        f.addRow(row)
        f.addRow(_("Resolution"), self.resolution_combo)
        f.addRow(self.every_frame_check)
        form_box.addWidget(src)

        det = QGroupBox(_("Detector"))
        f = QFormLayout(det)
        self.detector_combo = QComboBox()
        self._fill_detectors()
        f.addRow(self.detector_combo)
        self.weights_label = QLabel()
        self.weights_label.setWordWrap(True)
        self.download_button = QPushButton(_("Download in Models panel"))
        self.random_check = QCheckBox(_("Random weights (pipeline test: boxes are meaningless)"))
        f.addRow(self.weights_label)
        f.addRow(self.download_button)
        f.addRow(self.random_check)
        form_box.addWidget(det)

        th = QGroupBox(_("Thresholds (apply on the next frame)"))
        f = QFormLayout(th)
        self.score_slider = _slider(self.model.score)
        self.score_label = QLabel()
        self.score_label.setMinimumWidth(34)
        self.iou_slider = _slider(self.model.iou)
        self.iou_label = QLabel()
        self.iou_label.setMinimumWidth(34)
        r1, r2 = QHBoxLayout(), QHBoxLayout()
        r1.addWidget(self.score_slider, 1)
        r1.addWidget(self.score_label)
        r2.addWidget(self.iou_slider, 1)
        r2.addWidget(self.iou_label)
        f.addRow(_("Score"), r1)
        f.addRow(_("NMS IoU"), r2)
        # a new detector keeps the user's thresholds; its own, when different, are offered here
        self.suggest_label = QLabel()
        self.suggest_label.setWordWrap(True)
        self.suggest_button = QPushButton(_("Use the detector's values"))
        f.addRow(self.suggest_label)
        f.addRow(self.suggest_button)
        self.aware_radio = QRadioButton(_("per class"))
        self.agnostic_radio = QRadioButton(_("all together"))
        group = QButtonGroup(self)
        group.addButton(self.aware_radio)
        group.addButton(self.agnostic_radio)
        r3 = QHBoxLayout()
        r3.addWidget(self.aware_radio)
        r3.addWidget(self.agnostic_radio)
        f.addRow(_("NMS"), r3)
        self.class_edit = QLineEdit()
        self.class_edit.setPlaceholderText(_("all classes (or e.g. person, car)"))
        f.addRow(_("Classes"), self.class_edit)
        self.max_spin = QSpinBox()
        self.max_spin.setRange(1, 1000)
        f.addRow(_("Max detections"), self.max_spin)
        self.raw_check = QCheckBox(_("Show raw boxes before NMS (faded)"))
        f.addRow(self.raw_check)
        form_box.addWidget(th)

        out = QGroupBox(_("Run and save"))
        g = QHBoxLayout(out)
        self.run_button = QPushButton(_("Stop"))
        self.snapshot_button = QPushButton(_("Snapshot"))
        self.record_button = QPushButton(_("Record"))
        self.record_button.setCheckable(True)
        self.export_button = QPushButton(_("Export JSON"))
        self.export_button.setCheckable(True)
        for b in (self.run_button, self.snapshot_button, self.record_button, self.export_button):
            g.addWidget(b)
        form_box.addWidget(out)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form_box.addWidget(self.message)
        self.legend = QLabel(_legend_text())
        self.legend.setWordWrap(True)
        form_box.addWidget(self.legend)
        form_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(380)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        split.addWidget(scroll)

        self.tabs = QTabWidget()
        live = QWidget()
        lv = QVBoxLayout(live)
        self.view = ImageView(N_("Starting…"))
        self.stats_label = QLabel("")
        self.stats_label.setWordWrap(True)  # the timing line must not widen the window
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lv.addWidget(self.view, 1)
        lv.addWidget(self.stats_label)
        self.tabs.addTab(live, _("Live"))

        iou_tab = QWidget()
        iv = QVBoxLayout(iou_tab)
        iv.addWidget(QLabel(_("Drag a box to move it, its corner to resize it. NMS removes a box when its IoU with a better one exceeds the threshold; "
                              "evaluation counts a detection as correct when IoU ≥ 0.5.")))
        iv.itemAt(0).widget().setWordWrap(True)
        self.iou_widget = IouPlayground()
        iv.addWidget(self.iou_widget, 1)
        self.tabs.addTab(iou_tab, _("IoU"))

        nms_tab = QWidget()
        nv = QVBoxLayout(nms_tab)
        bar = QHBoxLayout()
        self.freeze_button = QPushButton(_("Freeze frame"))
        self.nms_class_combo = QComboBox()
        self.back_button = QPushButton(_("◀ Back"))
        self.forward_button = QPushButton(_("Forward ▶"))
        for w in (self.freeze_button, QLabel(_("Boxes of")), self.nms_class_combo, self.back_button, self.forward_button):
            bar.addWidget(w)
        bar.addStretch(1)
        nv.addLayout(bar)
        self.nms_view = NmsStepView()
        nv.addWidget(self.nms_view, 1)
        self.nms_text = QLabel(self.nms_view.description())
        self.nms_text.setWordWrap(True)
        self.nms_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.nms_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a fixed-height, scrolling box for the step's words: the picture keeps its size from step to step
        text_box = QScrollArea()
        text_box.setWidget(self.nms_text)
        text_box.setWidgetResizable(True)
        text_box.setFrameShape(QScrollArea.Shape.NoFrame)
        text_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        text_box.setFixedHeight(self.nms_text.fontMetrics().lineSpacing() * 5 + 8)
        nv.addWidget(text_box)
        self.tabs.addTab(nms_tab, _("NMS steps"))

        anc_tab = QWidget()
        av = QVBoxLayout(anc_tab)
        bar = QHBoxLayout()
        self.anchor_model_combo = QComboBox()
        self.anchor_model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # model names are read whole
        for name in _ANCHOR_MODELS:
            self.anchor_model_combo.addItem(name, name)
        self.level_spin = QSpinBox()
        self.level_spin.setPrefix(_("level "))
        bar.addWidget(QLabel(_("Anchors of")))
        bar.addWidget(self.anchor_model_combo)
        bar.addWidget(self.level_spin)
        bar.addStretch(1)
        av.addLayout(bar)
        self.anchor_view = AnchorView()
        av.addWidget(self.anchor_view, 1)
        self.anchor_text = QLabel(_("Click a cell to see its anchors. Anchors depend only on the architecture, not on trained weights."))
        self.anchor_text.setWordWrap(True)
        av.addWidget(self.anchor_text)
        self.tabs.addTab(anc_tab, _("Anchors"))
        self.sandbox = NmsSandbox()
        self.tabs.addTab(self.sandbox, _("NMS sandbox"))
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 900])

        self._ui_timer = QTimer(self)
        self._ui_timer.setInterval(500)

    def _fill_detectors(self) -> None:
        """Offline detectors first, then models trained in the app, then the COCO networks."""
        combo = self.detector_combo
        combo.blockSignals(True)
        combo.clear()
        order = {"opencv": 0, "trained": 1, "torchvision": 2}
        for name, title, spec in sorted(detector_choices(), key=lambda t: order.get(t[2].group, 1)):
            combo.addItem(_detector_title(title), name)
        combo.setCurrentIndex(max(0, combo.findData(self.model.detector)))
        combo.blockSignals(False)

    def _fill_sources(self, cameras) -> None:
        self._cameras = list(cameras)
        combo = self.source_combo
        current = self.model.source if combo.count() else combo.currentData()
        # files and folders the user opened stay in the list (and stay chosen) when cameras are scanned again
        opened = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())
                  if isinstance(combo.itemData(i), str) and not combo.itemData(i).startswith(("demo", "cam:", "?"))]
        combo.blockSignals(True)
        combo.clear()
        for photo, name in DEMO_PHOTOS:
            combo.addItem(_(name), "demo" if photo == "astronaut" else f"demo:{photo}")
        for cam in cameras:
            combo.addItem(cam.label, f"cam:{cam.index}")
        if not cameras:
            combo.addItem(_("Camera 0"), "cam:0")
        for text, data in opened:
            combo.addItem(text, data)
        combo.addItem(_("Video file…"), "?video")
        combo.addItem(_("Image file…"), "?image")
        combo.addItem(_("Folder of images…"), "?folder")
        i = combo.findData(current)
        combo.setCurrentIndex(max(0, i))
        combo.blockSignals(False)

    def _bind(self) -> None:
        m = self.model
        self.source_combo.activated.connect(self._source_chosen)
        self.scan_button.clicked.connect(self.scan_cameras)
        self.resolution_combo.currentIndexChanged.connect(lambda _i: self.restart())
        self.every_frame_check.toggled.connect(m.set_every_frame)
        self.detector_combo.currentIndexChanged.connect(lambda _i: m.set_detector(self.detector_combo.currentData()))
        self.random_check.toggled.connect(m.set_random_weights)
        self.download_button.clicked.connect(lambda: self.ctx.switch_to("models"))
        self.score_slider.valueChanged.connect(lambda v: m.update(score=v / 100))
        self.iou_slider.valueChanged.connect(lambda v: m.update(iou=v / 100))
        self.suggest_button.clicked.connect(m.use_suggested)
        self.agnostic_radio.toggled.connect(lambda on: m.update(class_agnostic=on))
        self.class_edit.editingFinished.connect(self._class_filter_edited)
        self.max_spin.valueChanged.connect(lambda v: m.update(max_detections=v))
        self.raw_check.toggled.connect(lambda on: m.update(show_raw=on))
        self.run_button.clicked.connect(self.toggle_running)
        self.snapshot_button.clicked.connect(lambda: self.snapshot())
        self.record_button.toggled.connect(self._toggle_record)
        self.export_button.toggled.connect(self._toggle_export)
        self.freeze_button.clicked.connect(self.freeze)
        self.nms_class_combo.currentIndexChanged.connect(lambda _i: self._retrace())
        self.back_button.clicked.connect(self.nms_view.back)
        self.forward_button.clicked.connect(self.nms_view.forward)
        self.nms_view.stepChanged.connect(lambda step, text: self.nms_text.setText(text))
        self.model.exampleApplied.connect(self._example_applied)
        self.anchor_model_combo.currentIndexChanged.connect(lambda _i: self.show_anchors())
        self.level_spin.valueChanged.connect(self.anchor_view.set_level)
        self.anchor_view.cellChanged.connect(self._anchor_info)
        self.tabs.currentChanged.connect(self._tab_changed)
        m.settingsChanged.connect(self._settings_changed)
        m.pipelineChanged.connect(self._pipeline_changed)

    # -- model → view --

    def _sync_from_model(self) -> None:
        m = self.model
        widgets = (self.detector_combo, self.score_slider, self.iou_slider, self.agnostic_radio, self.aware_radio,
                   self.max_spin, self.raw_check, self.random_check, self.every_frame_check)
        blockers = [w.blockSignals(True) for w in widgets]
        self.detector_combo.setCurrentIndex(max(0, self.detector_combo.findData(m.detector)))
        self.score_slider.setValue(round(m.score * 100))
        self.iou_slider.setValue(round(m.iou * 100))
        self.agnostic_radio.setChecked(m.class_agnostic)
        self.aware_radio.setChecked(not m.class_agnostic)
        self.max_spin.setValue(m.max_detections)
        self.raw_check.setChecked(m.show_raw)
        self.random_check.setChecked(m.random_weights)
        self.every_frame_check.setChecked(m.every_frame)
        for w, b in zip(widgets, blockers):
            w.blockSignals(b)
        # e.g. cleared when the detector changed; never while the user is typing in it
        if self._class_filter_text() != m.class_filter and not self.class_edit.hasFocus():
            self.class_edit.setText(", ".join(m.class_filter))
        self.score_label.setText(f"{m.score:.2f}")
        self.iou_label.setText(f"{m.iou:.2f}")
        note = m.suggestion_text()
        self.suggest_label.setText(note)
        self.suggest_label.setVisible(bool(note))
        self.suggest_button.setVisible(bool(note))
        self._update_weights_state()

    def _update_weights_state(self) -> None:
        m = self.model
        entry = m.weights_entry()
        self.random_check.setVisible(entry is not None)
        if entry is None:
            self.weights_label.setText(_("Works offline: no download needed."))
            self.download_button.setVisible(False)
        elif m.random_weights:
            self.weights_label.setText(_("<b>Random weights</b>: the network runs, its boxes mean nothing. For timing the pipeline only."))
            self.download_button.setVisible(False)
        elif m.weights_missing():
            self.weights_label.setText(_("<b>Weights missing</b> — download <code>{entry}</code> in the Models panel, or tick random weights to test the pipeline.").format(entry=entry))
            self.download_button.setVisible(True)
        else:
            self.weights_label.setText(_("Pretrained COCO weights installed."))
            self.download_button.setVisible(False)

    def _class_filter_text(self) -> tuple[str, ...]:
        # a Chinese keyboard types full-width commas or 、 between names
        return tuple(t.strip() for t in re.split(r"[,，、]", self.class_edit.text()) if t.strip())

    def _class_filter_edited(self) -> None:
        self.model.update(class_filter=self._class_filter_text())
        self._report_unknown_classes()

    def _report_unknown_classes(self) -> None:
        unknown = self.model.unknown_classes()
        if not unknown:
            return
        offered = self.model.offered_classes()
        listed = join_list(offered[:40]) + (" …" if len(offered) > 40 else "")
        names = join_list(repr(u) for u in unknown)
        if len(unknown) < len(self.model.class_filter):
            text = _("{detector} has no class {names} (ignored). Its classes: {listed}")
        else:
            text = _("{detector} has no class {names} (showing all classes). Its classes: {listed}")
        self.message.setText("<span style='color:#c0392b'>{}</span>".format(
            text.format(detector=self.model.detector, names=names, listed=listed)))

    def _settings_changed(self) -> None:
        self._sync_from_model()
        trace = self.nms_view.trace
        if getattr(self, "_frozen", None) is not None and trace is not None and trace.iou_threshold != self.model.iou:
            self._retrace(keep_step=True)  # the step-through replays the frozen boxes at the slider's threshold
        if self.worker is not None:
            self.worker.set_settings(self.model.settings())

    def _pipeline_changed(self) -> None:
        self._sync_from_model()
        self._follow_detector_anchors()
        self.restart()

    # -- sources --

    def _source_chosen(self, index: int) -> None:
        data = self.source_combo.itemData(index)
        if isinstance(data, str) and data.startswith("?"):
            kinds = {"?video": (_("Open a video"), _("Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;All files (*)")),
                     "?image": (_("Open an image"), _("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"))}
            if data == "?folder":
                path = QFileDialog.getExistingDirectory(self, _("Folder of images"))
            else:
                path, _filter = QFileDialog.getOpenFileName(self, *kinds[data])
            if path:
                self.set_source(path)
            else:
                self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(self.model.source)))
            return
        self.set_source(data)

    def set_source(self, spec: str) -> None:
        """Use ``spec`` (``demo``, ``cam:N``, a file or folder path) as the source."""
        combo = self.source_combo
        if combo.findData(spec) < 0:
            combo.insertItem(combo.count() - 3, Path(spec).name or spec, spec)
        combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(spec))
        combo.blockSignals(False)
        self.model.set_source(spec)

    def open_image(self, path: Path) -> None:
        self.set_source(str(path))

    def scan_cameras(self) -> None:
        cams = list_cameras()
        self._fill_sources(cams)
        self.message.setText(_("Found {n} camera(s).").format(n=len(cams)) if cams else _("No camera found (none connected, or all in use)."))

    def _resolution(self) -> tuple[int, int] | None:
        data = self.resolution_combo.currentData()
        return (int(data[0]), int(data[1])) if data else None

    # -- panel life --

    def activate(self) -> None:
        self._active = True
        self._fill_detectors()
        if self.worker is None:
            self.start()

    def deactivate(self) -> None:
        self._active = False
        self.stop()

    def shutdown(self) -> None:
        self._active = False
        self.stop()
        for w in list(self._old_workers):
            w.wait()  # until it has finished: a running QThread destroyed with the panel aborts the app
        for out in (self.recorder, self.exporter):
            if out is not None:
                try:
                    out.close()
                except RecordError:  # closing the app: an incomplete file is dropped, nothing to show
                    pass
        self.recorder = self.exporter = None

    def retranslate(self) -> None:
        """Re-render the texts this panel composes (sources, detectors, weights note, step words, anchors, sandbox)."""
        self.legend.setText(_legend_text())
        self._fill_sources(getattr(self, "_cameras", []))
        self._fill_detectors()
        self._sync_from_model()
        combo = self.nms_class_combo
        frozen = getattr(self, "_frozen", None)
        if frozen is not None and frozen.detections is not None and combo.count():
            d = frozen.detections
            labels, counts = np.unique(d.raw_labels, return_counts=True)
            count_of = dict(zip(labels.tolist(), counts.tolist()))
            for i in range(combo.count()):
                lab = combo.itemData(i)
                combo.setItemText(i, _("all classes ({n})").format(n=d.num_raw) if lab == -1
                                  else f"{display_class_name(d.label_name(lab))} ({count_of.get(lab, 0)})")
        self.nms_text.setText(self.nms_view.description())
        if self.anchor_view.levels:
            self._anchor_info(self.anchor_view.level, *self.anchor_view.cell)
        if self.last_result is not None and self.last_result.stats is not None and self.last_result.error is None:
            label = self.last_result.stats.line()
            if self.last_result.detections is not None and self.last_result.detections.random_weights:
                label = _("RANDOM WEIGHTS · {stats}").format(stats=label)
            self.stats_label.setText(label)
        self.sandbox.refresh()

    def screenshot_ready(self) -> bool:
        r = self.last_result
        return r is not None and self._frames_shown >= 3 and (len(r.detections) > 0 or self._frames_shown >= 6)
