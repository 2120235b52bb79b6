"""The Detection panel's teaching views: NMS step-through on a frozen frame, course examples, and anchors."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt

from engine.detect.class_names import display_class_name
from engine.i18n import _, join_list

__all__ = ["TeachingViews"]


class TeachingViews:
    """Methods of :class:`gui.panels.detection.DetectionPanel` behind its IoU, NMS and Anchors tabs
    (kept apart so the panel module stays about its live loop)."""

    def freeze(self) -> None:
        """Freeze the frame last shown in Live, with its raw boxes, for the NMS step-through.

        A frame where the detector found nothing is skipped for the last shown
        frame of this run that had candidates: stepping through no boxes teaches nothing.
        """
        r = self.last_result
        if r is not None and r.detections is not None and not r.detections.num_raw and self._last_with_boxes is not None:
            r = self._last_with_boxes
            self.message.setText(_("The newest frame had no boxes: froze frame {index}, the last one shown with boxes.").format(index=r.stats.index))
        if r is None or r.detections is None:
            self.nms_text.setText(_("No frame yet: start the detector first."))
            return
        self._frozen = r
        d = r.detections
        self.nms_class_combo.blockSignals(True)
        self.nms_class_combo.clear()
        self.nms_class_combo.addItem(_("all classes ({n})").format(n=d.num_raw), -1)
        labels, counts = np.unique(d.raw_labels, return_counts=True)
        for lab, cnt in sorted(zip(labels.tolist(), counts.tolist()), key=lambda t: -t[1]):
            self.nms_class_combo.addItem(f"{display_class_name(d.label_name(lab))} ({cnt})", lab)
        self.nms_class_combo.setCurrentIndex(1 if len(labels) and not self.model.class_agnostic else 0)
        self.nms_class_combo.blockSignals(False)
        self._retrace()

    def _retrace(self, keep_step: bool = False) -> None:
        r = getattr(self, "_frozen", None)
        if r is None:
            return
        d = r.detections
        lab = self.nms_class_combo.currentData()
        mask = np.ones(d.num_raw, bool) if lab in (None, -1) else d.raw_labels == lab
        step = self.nms_view.step if keep_step else 0
        self.nms_view.set_data(r.frame, d.raw_boxes[mask], d.raw_scores[mask], self.model.iou)
        self.nms_view.set_step(step)

    def _example_applied(self, state: dict) -> None:
        """A course example: its boxes in the NMS sandbox, run to the end (scores), or the IoU playground (two boxes)."""
        boxes = np.asarray(state.get("boxes", []), float).reshape(-1, 4)
        if "scores" in state:
            # one class, so each score is p_c itself; the learner can step back through it
            sandbox = self.sandbox
            sandbox.model.load_boxes(boxes.tolist(), state["scores"], float(state["score_threshold"]), float(state["iou_threshold"]))
            sandbox.model.run_to_end()
            with QSignalBlocker(sandbox.source_combo):
                sandbox.source_combo.setCurrentIndex(max(0, sandbox.source_combo.findData("course")))
            self.tabs.setCurrentWidget(sandbox)
        elif len(boxes) == 2:
            # scaled onto the playground's canvas: IoU does not change with scale
            cw, ch = self.iou_widget.CANVAS
            low, high = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
            scale = max(1, int(min((cw - 80) / float(max(high[0] - low[0], 1e-9)), (ch - 80) / float(max(high[1] - low[1], 1e-9)), 60.0)))
            a, b = (40 + (boxes - np.tile(low, 2)) * scale).tolist()  # both boxes inside the canvas, 40 px from its edges
            self.iou_widget.set_boxes(a, b, unit=scale, show_self=True)  # the formula keeps the example's own areas
            self.tabs.setCurrentWidget(self.iou_widget.parentWidget())

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.anchor_view.parentWidget() and not self.anchor_view.levels:
            self.show_anchors()
        if self.tabs.widget(index) is self.nms_view.parentWidget() and self.nms_view.trace is None:
            self.freeze()

    def show_anchors(self) -> None:
        """Draw the selected architecture's anchors over the current frame."""
        from engine.detect import create_detector

        name = self.anchor_model_combo.currentData()
        image = self.last_result.frame if self.last_result is not None else None
        if image is None:
            from engine.samples import sample_image

            image = sample_image("astronaut")
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            det = create_detector(name, weights="random", device="cpu")
            levels = det.anchor_sets(image.shape[:2])
        finally:
            self.unsetCursor()
        self.level_spin.blockSignals(True)
        self.level_spin.setRange(0, len(levels) - 1)
        self.level_spin.setValue(0)
        self.level_spin.blockSignals(False)
        self.anchor_view.level = 0
        self.anchor_view.set_data(image, levels)
        self._anchor_info(0, *self.anchor_view.cell)

    def _follow_detector_anchors(self) -> None:
        """Point the Anchors tab at the chosen detector when it is one with anchors."""
        index = self.anchor_model_combo.findData(self.model.detector)
        if index < 0 or index == self.anchor_model_combo.currentIndex():
            return
        if self.tabs.currentWidget() is self.anchor_view.parentWidget():
            self.anchor_model_combo.setCurrentIndex(index)  # redraws now
        else:
            with QSignalBlocker(self.anchor_model_combo):
                self.anchor_model_combo.setCurrentIndex(index)
            self.anchor_view.levels = []  # drawn when the tab is opened

    def _anchor_info(self, level: int, row: int, col: int) -> None:
        lv = self.anchor_view.levels[level] if self.anchor_view.levels else None
        if lv is None:
            return
        anchors = self.anchor_view.cell_anchors()
        sizes = join_list(f"{x2 - x1:.0f}×{y2 - y1:.0f}" for x1, y1, x2, y2 in anchors)
        self.anchor_text.setText(_(
            "{model}: level {level} is a {rows}×{cols} grid (stride {stride:.0f} px); cell ({row}, {col}) has {n} anchors "
            "(w×h px): {sizes}. Anchors depend only on the architecture, not on the trained weights. Click another cell.").format(
            model=self.anchor_model_combo.currentData(), level=level, rows=lv['grid'][0], cols=lv['grid'][1],
            stride=lv['stride'][1], row=row, col=col, n=lv['per_cell'], sizes=sizes))
