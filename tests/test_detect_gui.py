"""The Detection panel: sliders act on the next frame, weights-missing flow, teaching views."""

from __future__ import annotations


import cv2
import pytest
from PySide6.QtCore import QPoint, Qt

from engine.detect import iou, nms_trace
from engine.samples import sample_image
from gui.context import AppContext, make_settings
from gui.jobs import JobRunner
from gui.panels.detection import DetectionPanel


@pytest.fixture
def panel(qtbot, tmp_path):
    switched: list[str] = []
    ctx = AppContext(jobs=JobRunner(), settings=make_settings(), switch_to=switched.append)
    p = DetectionPanel(ctx)
    p.switched = switched
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(sample_image("astronaut"), cv2.COLOR_RGB2BGR))
    p.image_path = path
    yield p
    p.shutdown()


def _wait_frames(qtbot, panel, n: int = 2, timeout: int = 30000) -> None:
    start = panel._frames_shown
    qtbot.waitUntil(lambda: panel._frames_shown >= start + n, timeout=timeout)


def test_score_slider_changes_the_kept_count(qtbot, panel):
    assert panel.model.detector == "haar_face"  # offline default when no COCO weights are installed
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    _wait_frames(qtbot, panel, 2)
    low = panel.last_result.detections
    assert (low.raw_scores > 0.5).all()
    panel.score_slider.setValue(99)
    _wait_frames(qtbot, panel, 2)
    high = panel.last_result.detections
    assert len(low) > len(high) >= 1
    assert (high.scores > 0.99).all()
    assert "kept" in panel.stats_label.text()
    # the IoU slider acts too: a looser threshold keeps at least as many
    panel.score_slider.setValue(50)
    panel.iou_slider.setValue(5)
    _wait_frames(qtbot, panel, 2)
    strict = len(panel.last_result.detections)
    panel.iou_slider.setValue(95)
    _wait_frames(qtbot, panel, 2)
    assert len(panel.last_result.detections) > strict
    # snapshot writes the shown frame
    out = panel.snapshot(panel.image_path.with_name("snap.png"))
    assert out is not None and out.exists()


def test_missing_weights_offer_download_and_random_weights(qtbot, panel):
    index = panel.detector_combo.findData("ssdlite320_mobilenet_v3_large")
    panel.detector_combo.setCurrentIndex(index)
    assert panel.model.weights_missing()
    assert panel.download_button.isVisibleTo(panel) and "missing" in panel.weights_label.text().lower()
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert panel.switched == ["models"]
    panel.random_check.setChecked(True)
    assert not panel.download_button.isVisibleTo(panel) and "Random weights" in panel.weights_label.text()
    assert panel.model.weights_mode() == "random"


def test_iou_playground_drag_updates_iou(qtbot, panel):
    panel.tabs.setCurrentIndex(1)
    w = panel.iou_widget
    before = w.value()
    assert before == pytest.approx(float(iou(w.boxes[0], w.boxes[1])))
    start = w._to_widget(w.boxes[1]).center().toPoint()
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(w, start - QPoint(60, 40))
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=start - QPoint(60, 40))
    assert w.value() > before  # B moved onto A
    assert w.value() == pytest.approx(float(iou(w.boxes[0], w.boxes[1])))


def test_nms_step_through_matches_trace(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    _wait_frames(qtbot, panel, 2)
    panel.freeze()
    d = panel.last_result.detections
    trace = nms_trace(d.raw_boxes, d.raw_scores, panel.model.iou)
    view = panel.nms_view
    assert view.steps == len(trace.steps) >= 1
    panel.forward_button.click()
    assert view.step == 1 and f"keep box #{trace.steps[0].keeper}" in panel.nms_text.text()
    for _ in range(view.steps + 3):
        panel.forward_button.click()
    assert view.step == view.steps
    panel.back_button.click()
    assert view.step == view.steps - 1


def test_anchor_view_shows_ssd_default_boxes(qtbot, panel):
    panel.show_anchors()
    view = panel.anchor_view
    assert len(view.levels) == 6
    anchors = view.cell_anchors()
    assert anchors.shape == (view.levels[0]["per_cell"], 4)
    panel.level_spin.setValue(2)
    assert view.level == 2 and "level 2" in panel.anchor_text.text()


def test_switching_detector_reports_the_new_one(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    _wait_frames(qtbot, panel, 1)
    combo = panel.detector_combo
    index = combo.findData("haar_upper_body")
    assert index >= 0
    combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: panel.last_result is not None and panel.last_result.detections.detector == "haar_upper_body", timeout=30000)
    _wait_frames(qtbot, panel, 2)
    assert "haar_upper_body" in panel.message.text()
    assert "haar_face" not in panel.message.text()


def test_class_filter_names_unknown_classes_and_resets_with_the_detector(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    _wait_frames(qtbot, panel, 2)
    everything = len(panel.last_result.detections)
    assert everything >= 1
    panel.class_edit.setText("Face")  # names match regardless of case
    panel.class_edit.editingFinished.emit()
    assert panel.model.settings().classes == (0,)
    panel.class_edit.setText("dog")
    panel.class_edit.editingFinished.emit()
    assert "dog" in panel.message.text() and "face" in panel.message.text()  # says what is unknown and what is known
    _wait_frames(qtbot, panel, 2)
    assert len(panel.last_result.detections) == everything  # an unknown name does not silently hide every box
    panel.detector_combo.setCurrentIndex(panel.detector_combo.findData("haar_upper_body"))
    assert panel.model.class_filter == () and panel.class_edit.text() == ""  # the box shows the filter in force


def test_failing_camera_replaces_the_previous_picture(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    _wait_frames(qtbot, panel, 1)
    assert panel.view.has_image()
    panel.set_source("cam:9")  # no such camera here
    qtbot.waitUntil(lambda: "Camera 9" in panel.stats_label.text(), timeout=20000)
    assert not panel.view.has_image()  # the old source's frame is not passed off as the camera's
    assert "could not be opened" in panel.view.placeholder
    assert "Camera 9" in panel.message.text() and "Running" not in panel.message.text()


def test_nms_step_through_follows_the_iou_slider(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    _wait_frames(qtbot, panel, 2)
    panel.freeze()
    frozen = panel._frozen.detections
    panel.iou_slider.setValue(90)
    trace = nms_trace(frozen.raw_boxes, frozen.raw_scores, 0.9)
    assert panel.nms_view.trace.iou_threshold == pytest.approx(0.9)
    assert panel.nms_view.trace.kept == trace.kept
    assert "0.90" in panel.nms_text.text()


def test_anchors_tab_offers_every_coco_model_and_follows_the_chosen_detector(qtbot, panel):
    from engine.detect.torchvision_detectors import TORCHVISION_MODELS

    offered = [panel.anchor_model_combo.itemData(i) for i in range(panel.anchor_model_combo.count())]
    assert sorted(offered) == sorted(TORCHVISION_MODELS)
    panel.detector_combo.setCurrentIndex(panel.detector_combo.findData("fasterrcnn_resnet50_fpn_v2"))
    assert panel.anchor_model_combo.currentData() == "fasterrcnn_resnet50_fpn_v2"
    panel.tabs.setCurrentIndex(3)
    levels = panel.anchor_view.levels
    assert len(levels) == 5  # the FPN's P2..P6
    assert "fasterrcnn_resnet50_fpn_v2" in panel.anchor_text.text()
    assert levels[0]["per_cell"] == 3  # three aspect ratios per location in the RPN


@pytest.mark.parametrize("every_frame", [False, True])  # the threaded reader reports and retries; reading in turn fails at once
def test_a_source_that_cannot_start_leaves_no_stale_figures_or_frame(qtbot, panel, tmp_path, every_frame):
    panel.every_frame_check.setChecked(every_frame)
    panel.open_image(panel.image_path)
    panel.activate()
    _wait_frames(qtbot, panel, 1)
    assert "kept" in panel.stats_label.text()
    empty = tmp_path / "empty"
    empty.mkdir()
    panel.set_source(str(empty))
    qtbot.waitUntil(lambda: "holds no images" in panel.message.text(), timeout=20000)
    assert "kept" not in panel.stats_label.text()  # the old source's FPS and counts are gone
    assert not panel.view.has_image()
    assert panel.snapshot(tmp_path / "stale.png") is None and not (tmp_path / "stale.png").exists()


def test_nms_step_lists_every_remaining_iou_and_missing_weights_stop_the_old_run(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    _wait_frames(qtbot, panel, 2)
    panel.freeze()
    panel.forward_button.click()
    step = panel.nms_view.trace.steps[0]
    text = panel.nms_text.text()
    listed = sorted(zip(step.ious, step.candidates), key=lambda t: (-t[0], t[1]))[:12]  # the 12 highest IoUs
    assert len(listed) >= 1
    for v, j in listed:
        assert f"#{j} {v:.2f}" + (" ✕" if j in step.suppressed else "") in text
    panel.detector_combo.setCurrentIndex(panel.detector_combo.findData("ssdlite320_mobilenet_v3_large"))
    assert "not installed" in panel.message.text() and "Running" not in panel.message.text()
    assert panel.stats_label.text() == "" and panel.snapshot() is None


def test_a_folder_with_an_unreadable_file_plays_on_and_names_it(qtbot, panel, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), cv2.cvtColor(sample_image("astronaut")[::2, ::2], cv2.COLOR_RGB2BGR))
    (folder / "b.png").write_bytes(b"not a png")
    panel.every_frame_check.setChecked(True)
    panel.set_source(str(folder))
    panel.activate()
    _wait_frames(qtbot, panel, 4)  # the folder loops past the broken file again and again
    assert "b.png" in panel.message.text() and "skipped 1" in panel.message.text()
    assert panel.worker is not None


def test_recording_to_an_unwritable_place_stops_with_a_message(qtbot, panel, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    monkeypatch.setattr(panel, "_out_path", lambda suffix: blocker / f"out{suffix}")
    panel.open_image(panel.image_path)
    panel.activate()
    _wait_frames(qtbot, panel, 1)
    panel.record_button.click()
    assert panel.recorder is not None
    _wait_frames(qtbot, panel, 2)
    assert panel.recorder is None and not panel.record_button.isChecked()
    assert panel.record_button.text() == "Record" and "Recording stopped" in panel.message.text()


def test_a_new_detector_keeps_the_users_thresholds_and_offers_its_own(qtbot, panel):
    combo = panel.detector_combo
    panel.score_slider.setValue(70)
    panel.iou_slider.setValue(40)
    combo.setCurrentIndex(combo.findData("hog_people"))
    assert panel.model.detector == "hog_people"
    assert (panel.model.score, panel.model.iou) == (0.70, 0.40)
    assert (panel.score_slider.value(), panel.iou_slider.value()) == (70, 40)
    # HOG's own values differ: the panel says so and offers them
    assert not panel.suggest_label.isHidden() and "0.30" in panel.suggest_label.text() and "0.70" in panel.suggest_label.text()
    panel.suggest_button.click()
    assert (panel.model.score, panel.model.iou) == (0.30, 0.30) and panel.score_slider.value() == 30
    assert panel.suggest_label.isHidden() and panel.suggest_button.isHidden()


def test_untouched_thresholds_follow_the_detector(qtbot, panel):
    combo = panel.detector_combo
    combo.setCurrentIndex(combo.findData("hog_people"))
    assert (panel.model.score, panel.model.iou) == (0.3, 0.3) and panel.suggest_label.isHidden()


def test_find_cameras_keeps_an_opened_folder_as_the_source(qtbot, panel, tmp_path, monkeypatch):
    import gui.panels.detection as detection

    folder = tmp_path / "pics"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), cv2.cvtColor(sample_image("astronaut"), cv2.COLOR_RGB2BGR))
    panel.set_source(str(folder))
    monkeypatch.setattr(detection, "list_cameras", lambda: [])
    panel.scan_button.click()
    assert panel.model.source == str(folder)
    assert panel.source_combo.currentData() == str(folder) and panel.source_combo.currentText() == "pics"


def test_nms_step_through_keeps_its_size_and_spreads_clustered_iou_labels(qtbot, panel):
    import numpy as np

    rng = np.random.default_rng(3)
    image = sample_image("astronaut")
    # a tight cluster of near-identical boxes (as a detector gives around one face) plus a far box
    base = np.array([150, 60, 260, 180], np.float32)
    boxes = np.vstack([base + rng.uniform(-6, 6, 4) for _ in range(14)] + [np.array([[20, 300, 120, 420]], np.float32)])
    scores = rng.uniform(0.3, 0.99, len(boxes)).astype(np.float32)
    panel.tabs.setCurrentIndex(2)
    view = panel.nms_view
    view.set_data(image, boxes, scores, 0.9)  # a high threshold: several steps with many IoUs each
    qtbot.wait(50)
    sizes = set()
    for k in range(view.steps + 1):
        view.set_step(k)
        qtbot.wait(20)
        sizes.add((view.width(), view.height()))
        rects = view.label_rects()
        for a in range(len(rects)):
            for b in range(a + 1, len(rects)):
                assert not rects[a].intersects(rects[b]), (k, a, b)
    assert len(sizes) == 1, sizes
    view.set_step(1)
    assert len(view.label_rects()) >= 5


def test_freeze_takes_the_last_frame_that_had_boxes(qtbot, panel):
    panel.open_image(panel.image_path)
    panel.activate()
    panel.score_slider.setValue(50)
    qtbot.waitUntil(lambda: panel.last_result is not None and panel.last_result.detections.num_raw > 0, timeout=30000)
    with_boxes = panel.last_result
    panel.score_slider.setValue(100)  # from now on the frames have no candidates
    qtbot.waitUntil(lambda: panel.last_result is not None and panel.last_result.detections.num_raw == 0, timeout=30000)
    panel.freeze()
    assert panel.nms_view.steps >= 1
    assert panel.nms_view.boxes.shape[0] == panel._frozen.detections.num_raw > 0
    assert panel._frozen is not panel.last_result and panel._frozen.stats.index >= with_boxes.stats.index


def test_the_detectors_own_thresholds_are_offered_only_after_a_detector_change(qtbot):
    from gui.panels.detection_model import DetectionModel

    m = DetectionModel()
    m.set_detector("haar_face")
    m.update(score=0.6, iou=0.45)
    m.apply_detector_defaults(0.95, 0.3)  # the same detector restarted (e.g. another source): nothing to offer
    assert m.suggested is None and (m.score, m.iou) == (0.6, 0.45)
    m.set_detector("hog_people")
    assert m.suggested == (0.3, 0.3) and "hog_people suggests Score 0.30" in m.suggestion_text()
    m.apply_detector_defaults(0.3, 0.3)  # the built detector confirms them
    assert m.suggested == (0.3, 0.3) and (m.score, m.iou) == (0.6, 0.45)
