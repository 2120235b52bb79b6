"""Convolution lab: animated convolution with padding, stride, dilation, multi-channel filters and pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine import conv
from engine.i18n import N_, _

from ..i18n import keep_items_whole
from ..panel import Panel
from ..widgets.conv_animation import ConvAnimationView
from ..widgets.conv_heatmap import ConvHeatmap
from .convolution_controls import ControlsColumn
from .convolution_photo import PHOTO_TAB, PhotoTab
from .convolution_model import ConvLabModel
from .convolution_shift import SHIFT_TAB, ShiftTab
from .convolution_text import AMBER, KERNEL_LABELS, RED, coverage_caption, formula_html, label, no_output, params_html, pointwise_html

__all__ = ["ConvolutionPanel", "coverage_caption", "formula_html"]

_PHOTO_TAB, _SHIFT_TAB = PHOTO_TAB, SHIFT_TAB
_PARAMS_TAB = 2


class ConvolutionPanel(ControlsColumn, ShiftTab, PhotoTab, Panel):
    panel_id = "convolution"
    title = N_("Convolution")
    summary = N_("Step through a convolution: padding, stride, dilation, RGB filters, pooling, and your own photos")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ConvLabModel(self)
        self.note = ""
        self._shift_key: tuple = ()
        self._photo_job = None
        self._photo_dirty = False
        self._last_maps: conv.FeatureMaps | None = None
        self._file_photo: tuple[np.ndarray, str] | None = None
        self._photo_timer = QTimer(self)
        self._photo_timer.setSingleShot(True)
        self._photo_timer.setInterval(150)
        self._photo_timer.timeout.connect(self.refresh_photo)

        root = QHBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(252)  # leaves the animation room for numbered cells in a 1024-wide window
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._build_controls())
        root.addWidget(scroll)

        right = QVBoxLayout()
        self.formula = QLabel()
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        big = self.formula.font()
        big.setPointSizeF(max(big.pointSizeF(), 1.0) * 1.15)
        self.formula.setFont(big)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.formula)
        right.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_animation_tab(), _("Animation"))
        edit = QScrollArea()  # many channels or large kernels scroll here instead of widening the window
        edit.setWidgetResizable(True)
        edit.setFrameShape(QScrollArea.Shape.NoFrame)
        edit.setWidget(self._build_edit_tab())
        self.tabs.addTab(edit, _("Input && kernels"))
        self.tabs.addTab(self._build_coverage_tab(), _("Coverage && parameters"))
        self.tabs.addTab(self._build_photo_tab(), _("Real image"))
        self.tabs.addTab(self._build_shift_tab(), _("Translation invariance"))
        self.tabs.currentChanged.connect(self._on_tab)
        right.addWidget(self.tabs, 1)
        root.addLayout(right, 1)

        m = self.model
        m.inputChanged.connect(self._sync_input)
        m.filtersChanged.connect(self._sync_filters)
        m.settingsChanged.connect(self._sync_settings)
        m.traceChanged.connect(self._sync_trace)
        m.stepChanged.connect(self._sync_step)
        m.playingChanged.connect(self._sync_playing)
        m.photoChanged.connect(self._sync_photo)
        self._sync_input()
        self._sync_filters()
        self._sync_settings()
        self._sync_trace()

    # -- construction --

    def _build_animation_tab(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        col.setContentsMargins(4, 4, 4, 4)
        self.view = ConvAnimationView()
        col.addWidget(self.view, 1)
        self.pointwise = QLabel()
        self.pointwise.setTextFormat(Qt.TextFormat.RichText)
        self.pointwise.setWordWrap(True)
        self.pointwise_scroll = QScrollArea()
        self.pointwise_scroll.setWidgetResizable(True)
        self.pointwise_scroll.setWidget(self.pointwise)
        self.pointwise_scroll.setMaximumHeight(130)
        self.pointwise_scroll.setVisible(False)
        col.addWidget(self.pointwise_scroll)
        row = QHBoxLayout()
        self.back_button = QPushButton(_("◀ Back"))
        self.play_button = QPushButton(_("▶ Play"))
        self.play_button.setMinimumWidth(84)
        self.forward_button = QPushButton(_("Step ▶"))
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip(_("Scrub through the steps"))
        self.step_label = QLabel()
        self.step_label.setMinimumWidth(70)
        self.speed_spin = QDoubleSpinBox()
        self.speed_spin.setRange(0.25, 120)
        self.speed_spin.setDecimals(2)
        self.speed_spin.setValue(self.model.speed)
        self.speed_spin.setSuffix(_(" steps/s"))
        self.speed_spin.setToolTip(_("Playback speed"))
        for b in (self.back_button, self.play_button, self.forward_button):
            row.addWidget(b)
        row.addWidget(self.scrub, 1)
        row.addWidget(self.step_label)
        row.addWidget(self.speed_spin)
        col.addLayout(row)
        row = QHBoxLayout()
        self.code_button = QPushButton(_("Copy PyTorch code"))
        self.code_button.setToolTip(_("Copy the equivalent nn.Conv2d (and pooling) code, with this input and these weights"))
        self.export_button = QPushButton(_("Export GIF/MP4…"))
        row.addWidget(self.code_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.legend = QLabel(keep_items_whole(_("yellow: window · hatched: padding · blue < 0 < red")))
        self.legend.setStyleSheet("color: gray;")
        self.legend.setWordWrap(True)
        row.addWidget(self.legend)
        col.addLayout(row)
        m = self.model
        self.back_button.clicked.connect(m.step_back)
        self.forward_button.clicked.connect(m.step_forward)
        self.play_button.clicked.connect(m.toggle_play)
        self.scrub.valueChanged.connect(m.set_step)
        self.speed_spin.valueChanged.connect(m.set_speed)
        self.code_button.clicked.connect(self.copy_code)
        self.export_button.clicked.connect(self.export_dialog)
        for key, action, tip in (
            (Qt.Key.Key_Space, m.toggle_play, ""),
            (Qt.Key.Key_Right, m.step_forward, ""),
            (Qt.Key.Key_Left, m.step_back, ""),
            (Qt.Key.Key_Home, lambda: m.set_step(0), ""),
            (Qt.Key.Key_End, lambda: m.set_step(m.total_steps - 1), ""),
        ):
            shortcut = QShortcut(QKeySequence(key), w)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setToolTip(_("Space: play/pause · ←/→: step · Home/End: first/last step"))
        return w

    def _build_coverage_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        self.heatmap = ConvHeatmap()
        row.addWidget(self.heatmap, 1)
        self.params_label = QLabel()
        self.params_label.setTextFormat(Qt.TextFormat.RichText)
        self.params_label.setWordWrap(True)
        self.params_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.params_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        params = QScrollArea()  # the formulas never break, so a narrow window scrolls them
        params.setWidgetResizable(True)
        params.setFrameShape(QScrollArea.Shape.NoFrame)
        params.setWidget(self.params_label)
        row.addWidget(params, 1)
        return w

    # -- model → view --

    def _sync_trace(self) -> None:
        m = self.model
        self.formula.setText(formula_html(m))
        if m.drawn:
            self.view.set_animation(m.anim, no_output(m.error) if m.error else "")
        else:
            self.view.set_animation(None, _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT))
        ok = m.anim is not None
        for b in (self.play_button, self.back_button, self.forward_button, self.scrub, self.export_button, self.code_button):
            b.setEnabled(ok)
        with QSignalBlocker(self.scrub):
            self.scrub.setRange(0, max(0, m.total_steps - 1))
            self.scrub.setValue(m.step)
        self._show_message()
        not_drawn = "" if m.drawn else _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT)
        self.heatmap.set_values(m.coverage(), coverage_caption(m), not_drawn)
        self.params_label.setText(params_html(m))
        self._sync_step(m.step)
        self._sync_shift()
        if self.tabs.currentIndex() == _PHOTO_TAB:
            self._photo_timer.start()

    def _sync_step(self, k: int) -> None:
        m = self.model
        self.view.set_step(k)
        with QSignalBlocker(self.scrub):
            self.scrub.setValue(k)
        self.step_label.setText(f"{k + 1} / {m.total_steps}" if m.total_steps else "–")
        html = pointwise_html(m)
        self.pointwise.setText(html)
        self.pointwise_scroll.setVisible(bool(html))

    def _sync_playing(self, playing: bool) -> None:
        self.play_button.setText(_("❚❚ Pause") if playing else _("▶ Play"))

    def _open_tab(self, name: str) -> None:
        """Open the tab a course example is seen on."""
        self.tabs.setCurrentIndex({"translation": _SHIFT_TAB, "parameters": _PARAMS_TAB}.get(name, 0))

    def _show_message(self) -> None:
        m = self.model
        if m.error:
            self.message.setText(f"<span style='color:{RED}'>" + _("{reason}. The animation is off until the settings give an output.").format(reason=no_output(m.error)) + "</span>")
        elif self.note:
            self.message.setText(f"<span style='color:{AMBER}'>{self.note}</span>")
        else:
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))

    def _clear_note(self) -> None:
        if self.note:
            self.note = ""
            self._show_message()

    # -- actions --

    def copy_code(self) -> str:
        """Copy the layer's PyTorch code and confirm it; "" (nothing copied) when the settings give no output."""
        if self.model.anim is None:
            return ""
        code = self.model.code()
        QApplication.clipboard().setText(code)
        self.ctx.show_message(_("Copied the PyTorch code to the clipboard ({lines} lines)").format(lines=code.count("\n")), 5000)
        return code

    def export_dialog(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the animation"), "convolution.gif", _("Animated GIF (*.gif);;MP4 video (*.mp4)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path):
        """Export the animation to ``path`` (.gif or .mp4) in a worker thread; returns the job handle."""
        if self.model.anim is None:
            return None
        if path.suffix.lower() not in conv.EXPORT_FORMATS:
            path = path.with_suffix(".gif")
        fps = min(max(self.model.speed, 1.0), 30.0)
        return self.ctx.jobs.start(
            conv.export_job(self.model.anim, path, fps=fps),
            label=_("Export animation"),
            on_done=lambda r: self.ctx.show_message(_("Wrote {frames} frames ({w}×{h}) to {path}").format(frames=r.frames, w=r.width, h=r.height, path=r.path), 8000),
            on_error=lambda exc, tb: self.ctx.show_error(_("Export failed"), str(exc), tb),
        )

    # -- real image --

    def _on_tab(self, index: int) -> None:
        if index == _SHIFT_TAB:
            self._sync_shift()
        if index == _PHOTO_TAB:
            if self.model.photo is None:
                self.load_sample(self.sample_combo.currentData())
            else:
                self._photo_timer.start()

    # -- panel protocol --

    def retranslate(self) -> None:
        """Re-render every composed text (language or shape notation changed); the lab's state is kept."""
        had_note = bool(self.note)
        self.legend.setText(keep_items_whole(_("yellow: window · hatched: padding · blue < 0 < red")))
        self._set_composed_tips()
        self._fill_combos()
        self._sync_input()
        self._sync_filters()
        self._sync_settings()
        if had_note:
            self.note = self.model.same_explanation()
        self._sync_playing(self.model.playing)
        self._shift_key = ()
        self.view.set_animation(None)  # layout labels are made with the language of the moment
        self._sync_trace()
        if self._last_maps is not None:
            self.maps_view.set_result(self._last_maps, [label(KERNEL_LABELS, n) for n in self.model.presets])

    def deactivate(self) -> None:
        self.model.pause()

    def shutdown(self) -> None:
        self.model.pause()
        self._photo_timer.stop()  # no new filter job once the panel is closing
