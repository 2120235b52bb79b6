"""The Faces panel: enrolling from files, identifying, verifying, calibrating, the map and the
triplet view, a corrupt database and a missing camera -- driven with pytest-qt."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings, Qt

from engine.face.db import FaceDatabase, NewSample
from engine.io import save_image
from engine.samples import sample_image
from gui.context import AppContext
from gui.jobs import JobRunner
from gui.panels.faces import FacesPanel

WAIT = 120_000


@pytest.fixture
def panel(qtbot, tmp_path):
    ctx = AppContext(jobs=JobRunner(), settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    p = FacesPanel(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    assert p.open_database(tmp_path / "faces.db")
    yield p
    p.shutdown()
    ctx.jobs.wait_all(10_000)


def _wait_idle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.busy() and not panel.ctx.jobs.active(), timeout=WAIT)


@pytest.fixture
def photos(tmp_path):
    astro = sample_image("astronaut")
    return {
        "astro": save_image(tmp_path / "astronaut.png", astro),
        "astro_flip": save_image(tmp_path / "astronaut_flip.png", np.ascontiguousarray(astro[:, ::-1])),
        "camera": save_image(tmp_path / "camera.png", sample_image("camera")),
        "two": save_image(tmp_path / "two.png", np.ascontiguousarray(np.concatenate([astro, sample_image("camera")], axis=1))),
        "coffee": save_image(tmp_path / "coffee.png", sample_image("coffee")),
    }


def _click_face(qtbot, view, index: int) -> None:
    f = view.faces[index]
    rect = view.image_rect()
    h, w = view._shape
    cx = rect.x() + float(f.box[0] + f.box[2]) / 2 * rect.width() / w
    cy = rect.y() + float(f.box[1] + f.box[3]) / 2 * rect.height() / h
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPointF(cx, cy).toPoint())


def test_enroll_from_files_then_identify(qtbot, panel, photos):
    enroll = panel.enroll
    assert not enroll.add_photos([photos["astro"]])  # no name typed
    assert "name" in enroll.message.text()
    qtbot.keyClicks(enroll.name_edit, "Eileen Collins")
    assert enroll.add_photos([photos["astro"], photos["coffee"]])
    _wait_idle(qtbot, panel)
    assert "1 sample(s) enrolled" in enroll.message.text()
    assert "coffee.png: No face found" in enroll.message.text()
    assert enroll.people_list.count() == 1
    item = enroll.people_list.item(0)
    assert item.text().startswith("Eileen Collins") and not item.icon().isNull()

    # a photo with two faces waits for a click on the right one
    enroll.name_edit.setText("Cameraman")
    enroll.add_photos([photos["two"]])
    _wait_idle(qtbot, panel)
    assert len(enroll.pending) == 1 and "click the face" in enroll.message.text()
    right = max(range(2), key=lambda i: enroll.view.faces[i].box[0])
    _click_face(qtbot, enroll.view, right)
    assert enroll.pending == []
    assert {p.name: p.samples for p in panel.model.people} == {"Cameraman": 1, "Eileen Collins": 1}

    # identify: the mirrored astronaut and the two-person photo
    panel.tabs.setCurrentWidget(panel.recognize)
    rec = panel.recognize
    rec.recognize_photo(photos["two"])
    _wait_idle(qtbot, panel)
    names = sorted(r.name for r in rec.last.identities)
    assert names == ["Cameraman", "Eileen Collins"]
    assert rec.results.count() == 2 and "2 face(s): 2 recognised" in rec.message.text()
    tip = rec.view.tooltip_for(0)
    assert "Nearest enrolled people" in tip and "Cameraman" in tip and "Eileen Collins" in tip

    # nobody matches once the cameraman is deleted: Unknown
    enroll.delete_person("Cameraman", confirm=False)
    assert enroll.people_list.count() == 1
    rec.recognize_photo(photos["camera"])
    _wait_idle(qtbot, panel)
    r = rec.last.identities[0]
    assert r.name == "Unknown" and r.distance > panel.model.threshold
    assert "0 recognised, 1 unknown" in rec.message.text()

    # dropping a photo on the panel recognises it
    panel.open_image(photos["astro_flip"])
    _wait_idle(qtbot, panel)
    assert rec.last.identities[0].name == "Eileen Collins"


def test_verify_two_images_and_against_person(qtbot, panel, photos):
    v = panel.verify
    assert not v.compare()
    assert v.set_image(0, photos["astro"]) and v.set_image(1, photos["camera"])
    v.compare()
    _wait_idle(qtbot, panel)
    assert not v.result.same and v.result.distance > 0.6 and "different people" in v.verdict.text()
    v.set_image(1, photos["astro_flip"])
    v.compare()
    _wait_idle(qtbot, panel)
    assert v.result.same and "the same person" in v.verdict.text()
    # against an enrolled person
    panel.enroll.name_edit.setText("Eileen")
    panel.enroll.add_photos([photos["astro_flip"]])
    _wait_idle(qtbot, panel)
    v.use_person("Eileen")
    v.compare()
    _wait_idle(qtbot, panel)
    assert v.result.same and "Eileen" in v.verdict.text()


def _fill_synthetic(path, people=5, per=6, seed=0):
    rng = np.random.default_rng(seed)
    with FaceDatabase(path) as db:
        for p in range(people):
            centre = rng.normal(0, 0.09, 128)
            chip = np.full((150, 150, 3), 40 * p, np.uint8)
            db.add_samples(f"P{p}", [NewSample((centre + rng.normal(0, 0.02, 128)).astype(np.float32), chip) for _ in range(per)])


def test_calibrate_map_and_triplet_views(qtbot, panel, tmp_path):
    path = tmp_path / "synthetic.db"
    _fill_synthetic(path)
    assert panel.open_database(path)
    cal = panel.calibrate
    cal.compute()
    _wait_idle(qtbot, panel)
    assert cal.calibration is not None and cal.calibration.people == 5
    assert "Equal error rate" in cal.summary.text()
    assert "cannot be measured" in cal.summary.text()  # 360 different-person pairs cannot resolve 0.1 %
    cal.far_combo.setCurrentIndex(cal.far_combo.findData(0.01))
    assert "cannot be measured" not in cal.summary.text()
    assert len(cal.hist_plot.getPlotItem().listDataItems()) == 2
    far, _ = cal.calibration.rates_at(cal.suggested)
    assert far <= cal.far_target()
    cal.apply()
    assert panel.model.threshold == pytest.approx(cal.suggested)
    assert panel.threshold_spin.value() == pytest.approx(cal.suggested, abs=1e-3)
    with FaceDatabase(path) as db:
        assert float(db.get_setting("threshold")) == pytest.approx(cal.suggested, abs=1e-5)

    m = panel.map
    m.refresh()
    assert len(m.scatter.points()) == 30 and m.points.shape == (30, 2)
    m.show_sample(7)
    assert m.thumb.pixmap() is not None and not m.thumb.pixmap().isNull() and "P1" in m.thumb_name.text()

    t = panel.triplet
    t.refresh()
    t.select(0, 1, 6)  # P0, P0, P1
    assert t.terms is not None and t.terms.ap < t.terms.an and "loss" in t.terms_label.text()
    t.select(0, 6, 1)  # wrong roles: warned, and the loss is positive
    assert t.terms.loss > 0 and "not the same person" in t.terms_label.text()
    t.epochs_spin.setValue(20)
    assert t.finetune()
    _wait_idle(qtbot, panel)
    assert t.finetune_result is not None and "before" in t.tune_label.text()


def test_corrupt_database_is_reported(qtbot, panel, tmp_path):
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"not a database at all " * 100)
    assert not panel.open_database(bad)
    assert panel.error_label.isVisibleTo(panel) and str(bad) in panel.error_label.text()
    assert "backup" in panel.error_label.text()
    assert not panel.tabs.isTabEnabled(1)
    assert bad.read_bytes() == b"not a database at all " * 100
    assert panel.open_database(tmp_path / "fresh.db")
    assert not panel.error_label.isVisibleTo(panel) and panel.tabs.isTabEnabled(1)


def test_missing_camera_says_so(qtbot, panel):
    def broken_camera():
        from engine.face.live import CameraUnavailable

        raise CameraUnavailable(0, "it could not be opened")
        yield  # pragma: no cover

    rec = panel.recognize
    rec.start_camera(frames=broken_camera())
    _wait_idle(qtbot, panel)
    assert "No camera available" in rec.message.text() and rec.camera_button.text() == "Start camera"


def test_live_frames_show_fps(qtbot, panel, photos):
    astro = sample_image("astronaut")
    frames = [astro, astro, astro]
    rec = panel.recognize
    rec.start_camera(frames=iter(frames))
    _wait_idle(qtbot, panel)
    assert rec.last is not None and rec.last.fps > 0 and len(rec.last.faces) == 1
    assert "Camera stopped" in rec.message.text()


def test_people_enrolled_elsewhere_appear(qtbot, panel, tmp_path):
    """The CLI (another connection) enrolls while the panel is open: the list follows."""
    assert panel.enroll.people_list.count() == 0
    assert not panel.model.poll()
    with FaceDatabase(panel.model.db_path) as other:
        other.add_sample("Grace", NewSample(np.zeros(128, np.float32), np.zeros((150, 150, 3), np.uint8)))
    assert panel.model.poll()
    assert [panel.enroll.people_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.enroll.people_list.count())] == ["Grace"]
    assert not panel.model.poll()


def test_export_and_import_from_the_panel(qtbot, panel, tmp_path):
    other = tmp_path / "other.db"
    _fill_synthetic(other, people=2, per=2)
    report = panel.import_database(other)
    assert report.people_added == 2 and report.samples_added == 4
    assert panel.enroll.people_list.count() == 2
    out = tmp_path / "out.db"
    assert panel.export_database(out)
    with FaceDatabase(out) as db:
        assert {p.name: p.samples for p in db.people()} == {"P0": 2, "P1": 2}
    assert not panel.export_database(out)  # never overwrites
    assert "already exists" in panel.error_label.text()


def test_reembed_samples_of_another_model(qtbot, panel, tmp_path):
    from pathlib import Path

    from engine.face.resnet import Embedder
    from engine.io import load_image

    chip = load_image(Path(__file__).parent / "fixtures" / "face" / "chips" / "astronaut_face0.png")
    path = tmp_path / "old-model.db"
    with FaceDatabase(path) as db:
        db.add_sample("Eileen", NewSample(np.ones(128, np.float32), chip, model_id="an-older-model"))
    panel.open_database(path)
    assert panel.reembed_bar.isVisibleTo(panel) and "1 sample(s)" in panel.reembed_label.text()
    assert panel.reembed()
    _wait_idle(qtbot, panel)
    assert not panel.reembed_bar.isVisibleTo(panel)
    with FaceDatabase(path) as db:
        s = db.samples("Eileen")[0]
        expected = Embedder(device="cpu").embed_chips(db.chip(s.id)[None])[0]
    np.testing.assert_allclose(s.embedding, expected, atol=1e-4)


def test_webcam_capture_follows_the_rules_and_refreshes_once_per_sample(qtbot, panel, photos):
    """Frames stand in for the webcam: no face and a near-duplicate are not captured; the people
    list is re-read when a sample is stored, not on every later frame."""
    astro = sample_image("astronaut")
    frames = [sample_image("coffee"), astro, astro, astro, astro]
    enroll = panel.enroll
    enroll.name_edit.setText("Eileen")
    enroll.count_spin.setValue(3)
    refreshes = []
    panel.model.dbChanged.connect(lambda: refreshes.append(1))
    assert enroll.start_capture(frames=iter(frames))
    _wait_idle(qtbot, panel)
    assert {p.name: p.samples for p in panel.model.people} == {"Eileen": 1}
    assert "Captured 1 sample(s)" in enroll.message.text()
    assert enroll.capture_button.text() == "Start capture"
    assert len(refreshes) <= 2  # one for the stored sample, one when the capture ends


def test_notes_on_a_person_are_edited_and_stored(qtbot, panel):
    with FaceDatabase(panel.model.db_path) as other:
        other.add_sample("Grace", NewSample(np.zeros(128, np.float32), np.zeros((150, 150, 3), np.uint8)))
    panel.model.poll()
    enroll = panel.enroll
    assert not enroll.notes_edit.isEnabled()  # nobody selected
    enroll.people_list.setCurrentRow(0)
    assert enroll.notes_edit.isEnabled() and enroll.notes_edit.text() == ""
    enroll.notes_edit.setFocus()
    qtbot.keyClicks(enroll.notes_edit, "visitor, badge 42")
    qtbot.keyClick(enroll.notes_edit, Qt.Key.Key_Return)
    with FaceDatabase(panel.model.db_path) as other:
        assert other.person("Grace").notes == "visitor, badge 42"
    assert enroll.people_list.currentItem().toolTip() == "visitor, badge 42"
    assert enroll.notes_edit.text() == "visitor, badge 42"  # kept after the list is re-read


def test_map_of_many_people_names_a_few_in_the_legend(qtbot, panel, tmp_path):
    """Every sample is plotted; the legend stops after LEGEND_PEOPLE names (pyqtgraph lays a legend
    out in quadratic time: thousands of people froze the panel), and a hidden map waits until shown."""
    from gui.widgets.face_map import LEGEND_PEOPLE

    path = tmp_path / "many.db"
    rng = np.random.default_rng(5)
    with FaceDatabase(path) as db:
        for p in range(LEGEND_PEOPLE + 25):
            centre = rng.normal(0, 0.09, 128)
            chip = np.full((150, 150, 3), 5 * p, np.uint8)
            db.add_samples(f"P{p:02d}", [NewSample((centre + rng.normal(0, 0.02, 128)).astype(np.float32), chip) for _ in range(2)])
    panel.tabs.setCurrentWidget(panel.enroll)
    assert panel.open_database(path)
    m = panel.map
    assert m.points.shape == (0, 2)  # not computed while the tab is hidden
    panel.tabs.setCurrentWidget(m)
    assert m.points.shape == ((LEGEND_PEOPLE + 25) * 2, 2)
    assert len(m.scatter.points()) == (LEGEND_PEOPLE + 25) * 2
    names = [label.text for _, label in m.legend.items]
    assert len(names) == LEGEND_PEOPLE + 1 and "25 more" in names[-1]
    spot = m.scatter.points()[-1]
    m.show_sample(int(spot.data()))
    assert m.thumb_name.text().startswith(m.labels[int(spot.data())])
    colours = {m.labels[int(p.data())]: p.brush().color().name() for p in m.scatter.points()}
    assert len(set(colours.values())) > LEGEND_PEOPLE  # one colour per person, not per legend row
    legend_colours = [sample.item.opts["brush"].color() for sample, _ in m.legend.items[:LEGEND_PEOPLE]]
    for a, b in itertools.pairwise(legend_colours):  # neighbouring legend rows are told apart
        assert abs(a.hueF() - b.hueF()) > 0.1 or abs(a.valueF() - b.valueF()) > 0.1


def test_people_thumbnails_are_decoded_once(qtbot, panel, tmp_path, monkeypatch):
    """Re-reading the people list (after every change, also by the CLI) decodes only new thumbnails."""
    import engine.face.db.gallery as face_db

    path = tmp_path / "thumbs.db"
    _fill_synthetic(path, people=3, per=2)
    assert panel.open_database(path)
    decoded = []
    real = face_db.decode_chip
    monkeypatch.setattr(face_db, "decode_chip", lambda data: decoded.append(1) or real(data))
    enroll = panel.enroll
    enroll.refresh_people()
    assert decoded == [] and enroll.people_list.count() == 3
    first = panel.model.db.samples("P1")[0]
    panel.model.db.remove_sample(first.id)  # P1's thumbnail is now their other sample
    panel.model.people = panel.model.db.people()
    enroll.refresh_people()
    assert len(decoded) == 1
    items = [panel.enroll.people_list.item(i) for i in range(3)]
    assert all(not it.icon().isNull() for it in items)


def test_deleting_a_person_removed_elsewhere_or_while_locked(qtbot, panel, monkeypatch):
    import sqlite3

    with FaceDatabase(panel.model.db_path) as other:
        other.add_sample("Grace", NewSample(np.zeros(128, np.float32), np.zeros((150, 150, 3), np.uint8)))
        other.add_sample("Alan", NewSample(np.ones(128, np.float32), np.zeros((150, 150, 3), np.uint8)))
    panel.model.poll()
    enroll = panel.enroll
    with FaceDatabase(panel.model.db_path) as other:
        other.remove_person("Grace")  # the command line deletes her before the panel polls
    assert not enroll.delete_person("Grace", confirm=False)
    assert "no longer enrolled" in enroll.message.text()
    assert [p.name for p in panel.model.people] == ["Alan"]

    panel.model.db.timeout = 0.2
    panel.model.db.conn.execute("PRAGMA busy_timeout = 200")
    holder = sqlite3.connect(panel.model.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        assert not enroll.delete_person("Alan", confirm=False)
        assert "not deleted" in enroll.message.text() and "busy" in enroll.message.text()
        panel.threshold_spin.setValue(0.5)  # used at once, saving waits for the lock
        assert panel.model.threshold == pytest.approx(0.5)
        assert "could not be saved" in panel.error_label.text()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    panel.threshold_spin.setValue(0.52)
    assert not panel.error_label.isVisibleTo(panel)
    assert [p.name for p in panel.model.people] == ["Alan"]


def test_recognize_with_nobody_enrolled_says_so(qtbot, panel, photos):
    rec = panel.recognize
    rec.recognize_photo(photos["astro"])
    _wait_idle(qtbot, panel)
    assert rec.last.identities[0].name == "Unknown"
    text = rec.results.item(0).text()
    assert "nobody is enrolled" in text and "inf" not in text


def _numbers_after(text: str, marker: str) -> list[float]:
    """The numbers that follow ``marker`` ("= 0.123", "τ = 0.36") in a label's text."""
    import re

    return [float(m) for m in re.findall(re.escape(marker) + r"\s*(?:<b>)?([0-9]+\.[0-9]+)", text)]


def test_distance_switch_converts_tau_and_every_distance(qtbot, panel, photos):
    assert panel.distance_combo.currentIndex() == 0 and not panel.model.squared
    assert panel.threshold_spin.value() == pytest.approx(0.6)
    v = panel.verify
    v.set_image(0, photos["astro"])
    v.set_image(1, photos["astro_flip"])
    v.compare()
    _wait_idle(qtbot, panel)
    d = v.result.distance
    assert "d = ‖f(x1) − f(x2)‖ = " in v.verdict.text()
    assert _numbers_after(v.verdict.text(), "‖ =") == [pytest.approx(d, abs=1e-3)]

    panel.distance_combo.setCurrentIndex(1)  # the course's d = ‖f(x1) − f(x2)‖²
    assert panel.model.squared and panel.ctx.settings.value("faces/distance") == "squared"
    assert panel.threshold_spin.value() == pytest.approx(0.36)
    assert panel.model.threshold == pytest.approx(0.6)  # stored τ stays Euclidean
    text = v.verdict.text()
    assert "d = ‖f(x1) − f(x2)‖² = " in text
    assert _numbers_after(text, "‖² =") == [pytest.approx(d * d, abs=1e-3)]
    assert _numbers_after(text, "τ =") == [pytest.approx(0.36, abs=1e-3)]

    # τ typed on the squared scale is stored as its square root; the decision is the same either way
    panel.threshold_spin.setValue(0.25)
    assert panel.model.threshold == pytest.approx(0.5)

    # Recognize shows squared distances in the list, the overlay and the tooltip
    panel.enroll.name_edit.setText("Eileen")
    panel.enroll.add_photos([photos["astro"]])
    _wait_idle(qtbot, panel)
    rec = panel.recognize
    rec.recognize_photo(photos["astro_flip"])
    _wait_idle(qtbot, panel)
    r = rec.last.identities[0]
    assert _numbers_after(rec.results.item(0).text(), "d =") == [pytest.approx(r.distance**2, abs=1e-3)]
    assert "‖²" in rec.caption.text() and "τ = 0.250" in rec.message.text()
    assert rec.view.squared and f"d = {r.distance ** 2:.3f}" in rec.view.tooltip_for(0)

    panel.distance_combo.setCurrentIndex(0)
    assert not panel.model.squared and panel.threshold_spin.value() == pytest.approx(0.5)
    assert _numbers_after(v.verdict.text(), "‖ =") == [pytest.approx(d, abs=1e-3)]
    assert _numbers_after(rec.results.item(0).text(), "d =") == [pytest.approx(r.distance, abs=1e-3)]
    assert "τ = 0.500" in rec.message.text() and not rec.view.squared

    # the choice is a setting: a new panel starts with it
    panel.distance_combo.setCurrentIndex(1)
    again = FacesPanel(panel.ctx)
    qtbot.addWidget(again)
    assert again.model.squared and again.distance_combo.currentIndex() == 1


def test_distance_switch_in_calibrate_and_map(qtbot, panel, tmp_path):
    path = tmp_path / "synthetic.db"
    _fill_synthetic(path)
    assert panel.open_database(path)
    cal = panel.calibrate
    cal.compute()
    _wait_idle(qtbot, panel)
    m = panel.map
    m.refresh()
    m.show_sample(7)
    own = _numbers_after(m.thumb_name.text(), "d =")
    assert len(own) == 2 and "Euclidean" not in cal.hist_plot.getPlotItem().getAxis("bottom").labelText

    def hist_right_edge() -> float:
        return max(float(np.max(item.xData)) for item in cal.hist_plot.getPlotItem().listDataItems())

    edge = hist_right_edge()
    suggested = cal.suggested
    panel.distance_combo.setCurrentIndex(1)
    assert cal.suggested == pytest.approx(suggested)  # kept in the engine's units
    assert _numbers_after(cal.summary.text(), "suggested τ =") == [pytest.approx(suggested**2, abs=1e-3)]
    assert "‖f(x1) − f(x2)‖²" in cal.hist_plot.getPlotItem().getAxis("bottom").labelText
    assert hist_right_edge() == pytest.approx(max(edge / 1.05, 0.6) ** 2 * 1.05, rel=1e-6)
    lines = [i for i in cal.hist_plot.getPlotItem().items if type(i).__name__ == "InfiniteLine"]
    assert sorted(ln.value() for ln in lines) == pytest.approx(sorted([0.36, suggested**2]))
    assert _numbers_after(m.thumb_name.text(), "d =") == [pytest.approx(x * x, abs=2e-3) for x in own]
    cal.apply()  # applies the Euclidean τ
    assert panel.model.threshold == pytest.approx(suggested)
    assert panel.threshold_spin.value() == pytest.approx(suggested**2, abs=1e-3)


def test_one_shot_tab_follows_the_enrolled_people(qtbot, panel, tmp_path):
    o = panel.oneshot
    assert "Nobody is enrolled" in o.hint.text() and o.distance is None and o.verdict.text() == ""
    path = tmp_path / "synthetic.db"
    _fill_synthetic(path, people=3, per=2)
    assert panel.open_database(path)
    panel.tabs.setCurrentWidget(o)
    assert o.combos[0].count() == 6
    # K = 3 people: a 128→3 softmax has 128·3 + 3 weights; a fourth person makes it 128·4 + 4
    assert "387" in o.softmax_label.text() and "516" in o.softmax_label.text()
    assert o.softmax_diagram.names == ["P0", "P1", "P2"]

    o.select(0, 2)  # P0 against P1
    emb, labels, _ids = panel.model.labelled_samples()
    d = float(np.linalg.norm(emb[0].astype(np.float64) - emb[2]))
    assert o.distance == pytest.approx(d) and labels[0] != labels[2]
    assert [len(c) for c in o.diagram.codes] == [128, 128]
    assert np.allclose(o.diagram.codes[1], emb[2])
    assert _numbers_after(o.verdict.text(), "‖ =") == [pytest.approx(d, abs=1e-3)]
    panel.distance_combo.setCurrentIndex(1)
    assert _numbers_after(o.verdict.text(), "‖² =") == [pytest.approx(d * d, abs=1e-3)]
    assert ("≤" in o.verdict.text()) == (d <= panel.model.threshold)
    o.pick(same=True)
    assert labels[o.combos[1].currentIndex()] == labels[o.combos[0].currentIndex()] and "the same person" in o.verdict.text()
    o.pick(same=False)
    assert labels[o.combos[1].currentIndex()] != labels[o.combos[0].currentIndex()]

    # someone leaves: K = 2, the counts follow at once
    panel.model.remove_person("P2")
    assert o.combos[0].count() == 4 and "258" in o.softmax_label.text() and "387" in o.softmax_label.text()
    assert "4 samples" in o.similarity_label.text()
    panel.model.remove_person("P1")
    assert "Only P0 is enrolled" in o.hint.text()

    o.grab()  # the diagrams paint without error


def test_map_legend_goes_to_the_corner_without_points(qtbot, panel):
    from gui.widgets.face_map import legend_corner

    # clusters at top left, bottom left and right middle (y up): the top-right corner is free
    pts = np.array([[-0.43, 0.37], [-0.35, -0.18], [-0.37, -0.22], [0.40, 0.02], [0.37, 0.02], [0.39, -0.01]])
    assert legend_corner(pts) == (1, 0)
    assert legend_corner(pts * [-1, 1]) == (0, 0)
    assert legend_corner(pts * [1, -1]) == (1, 1)
    assert legend_corner(np.zeros((0, 2))) == (0, 0)
