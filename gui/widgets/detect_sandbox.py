"""The NMS sandbox: draw boxes by hand, give each p_c and class scores, step through NMS the course's way."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _, join_list
from engine.yolo.sandbox import SANDBOX_CLASSES

from ..panels.nms_sandbox_model import NmsSandboxModel
from .box_canvas import BoxCanvas, CanvasBox
from .form import Form

__all__ = ["NmsSandbox"]

_SOURCES = (("blank", N_("Blank canvas")), ("course", N_("The course's boxes on a blank canvas")), ("astronaut", N_("Sample photo: astronaut")),
            ("coffee", N_("Sample photo: coffee")), ("chelsea", N_("Sample photo: cat")), ("?file", N_("Open file…")))
_COLOURS = {"live": (29, 132, 230), "kept": (46, 170, 80), "suppressed": (230, 57, 70), "discarded": (150, 150, 150)}
#: drawing order: the kept boxes and their labels on top, the discarded ones at the bottom
_Z = {"kept": 3, "live": 2, "suppressed": 1, "discarded": 0}


class NmsSandbox(QWidget):
    """Canvas on the left, box editor and step controls on the right; state in :class:`NmsSandboxModel`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = NmsSandboxModel(self)
        # laid out for a narrow tab (about 450 px at 1024 wide): picture and editor side by side, words below
        v = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.source_combo = QComboBox()
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setMinimumContentsLength(8)
        for key, text in _SOURCES:
            self.source_combo.addItem(_(text), key)
        self.preset_button = QPushButton(_("The course's five boxes"))
        bar.addWidget(self.source_combo, 1)
        bar.addWidget(self.preset_button)
        v.addLayout(bar)
        middle = QHBoxLayout()
        self.canvas = BoxCanvas()
        self.canvas.setMinimumSize(180, 150)
        middle.addWidget(self.canvas, 1)
        editor = QVBoxLayout()
        form = Form()
        self.pc_spin = form.threshold("p_c", 0.9)
        self.class_labels = [QLabel() for _k in SANDBOX_CLASSES]  # "c1 (name)": re-rendered by refresh()
        self.class_spins = [form.threshold(label, 1.0 if k == 1 else 0.0) for k, label in enumerate(self.class_labels)]
        editor.addLayout(form.layout)
        self.delete_button = QPushButton(_("Delete box"))
        self.clear_button = QPushButton(_("Delete all"))
        editor.addWidget(self.delete_button)
        editor.addWidget(self.clear_button)
        nms = QGroupBox(_("Non-max suppression"))
        f = Form(nms)
        self.pc_threshold_spin = f.threshold(N_("Discard p_c ≤"), self.model.pc_threshold)
        self.iou_threshold_spin = f.threshold(N_("Suppress IoU ≥"), self.model.iou_threshold)
        editor.addWidget(nms)
        editor.addStretch(1)
        middle.addLayout(editor)
        v.addLayout(middle, 3)
        hint = QLabel(_("Drag on the picture to draw a box; click a box to select it. Score = p_c × c_i of its best class."))
        hint.setWordWrap(True)
        v.addWidget(hint)
        steps = QHBoxLayout()
        self.back_button = QPushButton(_("◀ Back"))
        self.step_button = QPushButton(_("Step ▶"))
        self.end_button = QPushButton(_("To the end"))
        for b in (self.back_button, self.step_button, self.end_button):
            steps.addWidget(b)
        steps.addStretch(1)
        v.addLayout(steps)
        self.box_list = QListWidget()
        self.box_list.setMinimumHeight(70)
        v.addWidget(self.box_list, 1)
        self.step_text = QLabel()
        self.step_text.setWordWrap(True)
        self.step_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.step_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidget(self.step_text)
        scroll.setWidgetResizable(True)
        scroll.setMinimumHeight(80)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        v.addWidget(scroll, 1)

        m = self.model
        self.source_combo.activated.connect(self._source_chosen)
        self.preset_button.clicked.connect(m.load_course_preset)
        self.canvas.boxDrawn.connect(lambda *box: m.add_box(box))
        self.canvas.boxClicked.connect(m.select)
        self.box_list.currentRowChanged.connect(lambda row: row != m.selected and m.select(row))
        self.pc_spin.valueChanged.connect(m.set_p_c)
        for k, s in enumerate(self.class_spins):
            s.valueChanged.connect(lambda v, k=k: m.set_class_score(k, v))
        self.delete_button.clicked.connect(m.delete_selected)
        self.clear_button.clicked.connect(m.clear)
        self.pc_threshold_spin.valueChanged.connect(lambda v: m.set_thresholds(pc=v))
        self.iou_threshold_spin.valueChanged.connect(lambda v: m.set_thresholds(iou=v))
        self.back_button.clicked.connect(lambda: m.step(-1))
        self.step_button.clicked.connect(lambda: m.step(1))
        self.end_button.clicked.connect(m.run_to_end)
        m.changed.connect(self.refresh)
        self.canvas.set_image(m.image)
        self.refresh()

    # -- actions --

    def _source_chosen(self, index: int) -> None:
        key = self.source_combo.itemData(index)
        if key == "?file":
            path, _filter = QFileDialog.getOpenFileName(self, _("Open image"), "", _("Images (*.png *.jpg *.jpeg *.bmp *.webp)"))
            if path:
                self.open_image(path)
            return
        if key == "course":
            self.model.load_course_preset()
            return
        if key == "blank":
            import numpy as np

            self.model.set_image(np.full((160, 360, 3), 245, np.uint8), "blank")
        else:
            from engine.samples import sample_image

            self.model.set_image(sample_image(key), key)

    def open_image(self, path) -> bool:
        """Draw on an image file; a bad file gets one line and changes nothing."""
        from engine.io import ImageLoadError, load_image

        try:
            image = load_image(path)
        except ImageLoadError as exc:
            self.step_text.setText(_("Could not open the image: {reason}").format(reason=exc))
            return False
        self.model.set_image(image, str(path))
        return True

    # -- model → view --

    def refresh(self) -> None:
        """Re-render everything from the model (also on a language switch)."""
        m = self.model
        r = m.result
        for k, (label, name) in enumerate(zip(self.class_labels, SANDBOX_CLASSES)):
            label.setText(_("c{k} ({name})").format(k=k + 1, name=_(name)))
        self.canvas.set_image(m.image)
        shown = []
        for i, b in enumerate(m.boxes):
            state = m.state_of(i)
            label = "#{i} {s:.2f}".format(i=i, s=r.scores[i])
            shown.append(CanvasBox(b.box, _COLOURS[state], label, 3.0 if state == "kept" else 2.0,
                                   dashed=state in ("suppressed", "discarded"), faded=state == "discarded", z=_Z[state]))
        self.canvas.set_boxes(shown, m.selected)
        source = self.source_combo.findData(m.image_name)  # the menu names what is on the canvas (an opened file: no entry)
        if source >= 0:
            with QSignalBlocker(self.source_combo):
                self.source_combo.setCurrentIndex(source)
        with QSignalBlocker(self.box_list):
            self.box_list.clear()
            names = [_(n) for n in SANDBOX_CLASSES]
            states = {"live": _("in play"), "kept": _("kept"), "suppressed": _("suppressed"), "discarded": _("discarded")}
            for i, b in enumerate(m.boxes):
                self.box_list.addItem(_("#{i} {cls}: p_c {pc:.2f}, score {s:.2f} ({state})").format(
                    i=i, cls=names[r.classes[i]], pc=b.p_c, s=r.scores[i], state=states[m.state_of(i)]))
            self.box_list.setCurrentRow(m.selected)
        has = 0 <= m.selected < len(m.boxes)
        for s in (self.pc_spin, *self.class_spins, self.delete_button):
            s.setEnabled(has)
        if has:
            b = m.boxes[m.selected]
            with QSignalBlocker(self.pc_spin):
                self.pc_spin.setValue(b.p_c)
            for s, v in zip(self.class_spins, b.classes):
                with QSignalBlocker(s):
                    s.setValue(v)
        for s, v in ((self.pc_threshold_spin, m.pc_threshold), (self.iou_threshold_spin, m.iou_threshold)):
            with QSignalBlocker(s):
                s.setValue(v)
        self.back_button.setEnabled(m.stage > 0)
        self.step_button.setEnabled(not m.finished and bool(m.boxes))
        self.end_button.setEnabled(not m.finished and bool(m.boxes))
        self.step_text.setText(self.stage_text())

    def stage_text(self) -> str:
        """The words for the stage shown: what was discarded, kept and suppressed, with the IoU numbers."""
        m, r = self.model, self.model.result
        if not m.boxes:
            return _("No boxes yet: drag on the picture, or load the course's five boxes.")
        lines = [_("{n} box(es). Press Step to run non-max suppression one step at a time.").format(n=len(m.boxes))]
        if m.stage >= 1:
            if r.discarded:
                lines.append(_("Discard p_c ≤ {t}: {boxes}.").format(
                    t=f"{r.pc_threshold:g}", boxes=join_list(f"#{i}" for i in r.discarded)))
            else:
                lines.append(_("No box has p_c ≤ {t}: none discarded.").format(t=f"{r.pc_threshold:g}"))
        for k, st in enumerate(r.steps[: max(0, m.stage - 1)], 1):
            ious = join_list(f"#{j} {v:.2f}" for j, v in zip(st.candidates, st.ious)) or _("no other box of its class")
            gone = join_list(f"#{j}" for j in st.suppressed) or _("no box")
            lines.append(_("Step {k}: keep #{i} (score {s:.2f}). IoU with it: {ious}. Suppressed (IoU ≥ {t}): {gone}.").format(
                k=k, i=st.keeper, s=r.scores[st.keeper], ious=ious, t=f"{r.iou_threshold:g}", gone=gone))
        if m.finished:
            kept = join_list("#{i} ({s:.2f})".format(i=i, s=r.scores[i]) for i in r.kept) or _("no box")
            lines.append("<b>" + _("Done: kept {kept}.").format(kept=kept) + "</b>")
        return "<br>".join(lines)
