"""Style transfer › Fast styles: load, apply (photo, folder, webcam) and train feed-forward style networks.

:class:`FastStylesTab` is mixed into :class:`~gui.panels.style_transfer.StyleTransferPanel`: it builds
the tab's page and owns its actions; the network, its output and the training curve live in the
panel's :class:`~gui.panels.style_transfer_model.FastStyleModel` (``self.fast``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine.paths import trained_dir
from engine.style import StyleModelError

from ..i18n import set_text
from ..widgets.form import Form, blend_slider
from ..widgets.image_view import ImageView
from ..widgets.style_loss_plot import StyleLossPlot
from .style_transfer_model import report_every, short_training_warning

__all__ = ["FastStylesTab"]


class FastStylesTab:
    """The *Fast styles* tab of the style-transfer panel (a mixin: its widgets are the panel's attributes).

    Expects ``self.fast`` (a ``FastStyleModel``), ``self.model`` (the Gatys tab's model: its content
    photo and style image are the ones used here), ``self.ctx`` and the job slots ``_fast_job`` and
    ``_webcam_job``.
    """

    def _show_fast_output(self) -> None:
        self.fast_view.set_image(self.fast.output)
        if self.fast.notice:
            self.fast_status.setText(self.fast.notice)

    def _build_fast_tab(self) -> QWidget:
        page = QWidget()
        left = QVBoxLayout()
        net_box = QGroupBox(_("Style network"))
        nl = QVBoxLayout(net_box)
        self.network_label = QLabel("")
        self.network_label.setWordWrap(True)
        self.load_net_button = QPushButton(_("Load network (.pth)…"))
        self.load_net_button.setToolTip(_("A network trained here, or one of the PyTorch examples' styles (mosaic, candy, udnie, rain-princess)"))
        nl.addWidget(self.network_label)
        nl.addWidget(self.load_net_button)
        left.addWidget(net_box)

        apply_box = QGroupBox(_("Apply"))
        al = QGridLayout(apply_box)
        self.fast_strength, self.fast_strength_label = blend_slider(al, N_("original"), N_("stylised"), 100)
        self.apply_folder_button = QPushButton(_("Apply to a folder…"))
        self.webcam_button = QPushButton(_("Start webcam"))
        self.webcam_button.setCheckable(True)
        note = QLabel(_("The photo is the content photo of the first tab."))
        note.setWordWrap(True)
        al.addWidget(note, 2, 0, 1, 3)
        al.addWidget(self.apply_folder_button, 3, 0, 1, 3)
        al.addWidget(self.webcam_button, 4, 0, 1, 3)
        left.addWidget(apply_box)

        train_box = QGroupBox(_("Train a new style"))
        tl = Form(train_box)
        self.train_folder = QLineEdit()
        self.train_folder.setPlaceholderText(_("bundled samples (quick demo)"))
        self.train_folder.setToolTip(_("A folder of your photos to train on; empty: the bundled sample photos (a quick demo)"))
        browse = QPushButton("…")
        browse.setFixedWidth(30)
        frow = QHBoxLayout()
        frow.addWidget(self.train_folder, 1)
        frow.addWidget(browse)
        tl.note(N_("Uses the style image of the first tab."))
        tl.add(N_("Photos"), frow)
        self.train_steps = tl.spin(N_("Steps"), 1, 100000, self.fast.train_params.steps)
        self.train_steps_note = tl.note(style="color: #9a6700;")
        self.train_name = tl.add(N_("Name"), QLineEdit("my-style"))
        tb = QHBoxLayout()
        self.train_button = QPushButton(_("Train / resume"))
        self.train_cancel = QPushButton(_("Stop (keeps a checkpoint)"))
        tb.addWidget(self.train_button)
        tb.addWidget(self.train_cancel)
        tl.wide(tb)
        left.addWidget(train_box)
        self.fast_status = QLabel("")
        self.fast_status.setWordWrap(True)
        left.addWidget(self.fast_status)
        left.addStretch(1)
        left_w = QWidget()
        left_w.setLayout(left)
        left_w.setFixedWidth(340)

        right = QVBoxLayout()
        self.fast_view = ImageView(N_("Load or train a style network to see the photo stylised here"))
        self.train_plot = StyleLossPlot(title=N_("Training loss"), labels={"total": N_("total"), "content": N_("content term"), "style": N_("style term")})
        self.train_plot.setMaximumHeight(220)
        right.addWidget(self.fast_view, 3)
        right.addWidget(self.train_plot, 1)
        row = QHBoxLayout(page)
        row.addWidget(left_w)
        row.addLayout(right, 1)

        self.load_net_button.clicked.connect(lambda: self.load_network())
        self.fast_strength.valueChanged.connect(self._fast_strength_changed)
        self.apply_folder_button.clicked.connect(lambda: self.apply_folder())
        self.webcam_button.toggled.connect(self._toggle_webcam)
        browse.clicked.connect(self._browse_train_folder)
        self.train_button.clicked.connect(self.train)
        self.train_steps.valueChanged.connect(self._warn_short_training)
        self._warn_short_training(self.train_steps.value())
        self._fast_strength_label()
        self.train_cancel.clicked.connect(lambda: self._fast_job.cancel() if self._fast_job else None)
        return page

    def _warn_short_training(self, steps: int) -> None:
        note = short_training_warning(steps)
        self.train_steps_note.setText(note)
        self.train_steps_note.setVisible(bool(note))

    def _show_network(self) -> None:
        has = self.fast.stylizer is not None
        self.network_label.setText(_("Loaded: {name}").format(name=f"<b>{self.fast.network_name}</b>") if has else
                                   _("No network loaded. Load a .pth file (ours, or the PyTorch examples' mosaic, candy, udnie, "
                                     "rain-princess) or train one below."))
        for w in (self.fast_strength, self.apply_folder_button, self.webcam_button):
            w.setEnabled(has)
        self.train_cancel.setEnabled(self._fast_job is not None)
        self.train_button.setEnabled(self._fast_job is None)

    def load_network(self, path: str | None = None) -> bool:
        if not path:
            path, _filter = QFileDialog.getOpenFileName(self, _("Load style network"), str(trained_dir()),
                                                        _("PyTorch weights (*.pth *.pt *.model);;All files (*)"))
            if not path:
                return False
        try:
            self.fast.load_network(path)
        except StyleModelError as exc:
            set_text(self.fast_status, N_("Not loaded: {reason}"), reason=exc)
            return False
        set_text(self.fast_status, N_("Loaded {file}."), file=Path(path).name)
        return True

    def _fast_strength_label(self) -> None:
        self.fast_strength_label.setText(_("strength {s:.2f}").format(s=self.fast_strength.value() / 100))

    def _fast_strength_changed(self, value: int) -> None:
        self._fast_strength_label()
        if self._webcam_job is None:
            self.fast.set_strength(value / 100)
        else:
            self.fast.strength = value / 100

    def apply_folder(self, folder: str | None = None, out_dir: str | None = None) -> None:
        from engine.style import apply_to_folder

        if self.fast.stylizer is None:
            return
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, _("Folder of photos to stylise"))
            if not folder:
                return
        out = Path(out_dir) if out_dir else Path(folder) / "stylised"
        set_text(self.fast_status, N_("Stylising the images in {folder}…"), folder=folder)
        self.ctx.jobs.start(
            apply_to_folder(self.fast.stylizer, [folder], out, self.fast.strength),
            label=_("Apply style to folder"),
            on_progress=lambda p: self.fast_status.setText(p.message),
            on_done=lambda files: set_text(self.fast_status, N_("Wrote {n} image(s) to {folder}"), n=len(files), folder=out),
            on_error=lambda exc, tb: set_text(self.fast_status, N_("Stopped: {reason}"), reason=exc),
        )

    def _toggle_webcam(self, on: bool) -> None:
        from engine.style import camera_frames, stylize_frames

        if not on:
            if self._webcam_job is not None:
                self._webcam_job.cancel()
            return
        if self.fast.stylizer is None or self._webcam_job is not None:
            return
        self.webcam_button.setText(_("Stop webcam"))

        def ended(text: str) -> None:
            self._webcam_job = None
            with QSignalBlocker(self.webcam_button):
                self.webcam_button.setChecked(False)
            self.webcam_button.setText(_("Start webcam"))
            self.fast_status.setText(text)
            self.fast.apply()

        self._webcam_job = self.ctx.jobs.start(
            stylize_frames(self.fast.stylizer, camera_frames(0), strength=lambda: self.fast.strength),
            label=_("Webcam style"),
            on_progress=lambda p: set_text(self.fast_status, N_("Webcam: {message}"), message=p.message),
            on_partial=self.fast_view.set_image,
            on_done=lambda n: ended(_("Webcam stopped after {n} frames.").format(n=n)),
            on_error=lambda exc, tb: ended(_("Webcam: {message}").format(message=exc)),
            on_cancelled=lambda _partial: ended(_("Webcam stopped.")),
        )

    def _browse_train_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder of content photos"))
        if folder:
            self.train_folder.setText(folder)

    def train(self) -> None:
        if self._fast_job is not None:
            return
        name = "".join(c for c in self.train_name.text().strip() if c.isalnum() or c in "-_") or "my-style"
        out = trained_dir() / "styles" / f"{name}.pth"
        self.fast.train_params.steps = self.train_steps.value()
        self.fast.train_params.report_every = report_every(self.train_steps.value())
        self.fast.train_params.backbone = self.model.params.backbone
        set_text(self.fast_status, N_("Training {name} (checkpoints in {folder}; Train again resumes)…"), name=name, folder=out.parent)

        def finished(result) -> None:
            self._fast_job = None
            self.fast.set_curve(result.curve)
            self.load_network(str(result.model_path))
            note = f" {result.notice}" if result.notice else ""
            short = short_training_warning(result.steps)
            note += f" {short}" if short else ""
            self.fast_status.setText(_("Trained {steps} steps; saved {file}.").format(steps=result.steps, file=result.model_path) + note)
            self._show_network()

        def stopped(text: str) -> None:
            self._fast_job = None
            self.fast_status.setText(text)
            self._show_network()

        self._fast_job = self.ctx.jobs.start(
            self.fast.train_job(self.model.style, self.train_folder.text().strip() or None, out),
            label=_("Train style {name}").format(name=name),
            on_progress=lambda p: self.fast_status.setText(p.message),
            on_partial=self.fast.set_curve,
            on_done=finished,
            on_error=lambda exc, tb: stopped(_("Training stopped: {reason}").format(reason=exc)),
            on_cancelled=lambda _partial: stopped(_("Training stopped; the checkpoint is kept. Train again to resume.")),
        )
        self._show_network()
