"""The Faces panel in Chinese with enrolled people: the One-shot tab, the distance switch and an engine warning."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine.face.db import FaceDatabase, NewSample
from i18n_walk import chinese_left, english_left

WAIT = 120_000


def _fill(path, people=3, per=2, seed=0):
    rng = np.random.default_rng(seed)
    with FaceDatabase(path) as db:
        for p in range(people):
            centre = rng.normal(0, 0.09, 128)
            chip = np.full((150, 150, 3), 40 * p, np.uint8)
            db.add_samples(f"P{p}", [NewSample((centre + rng.normal(0, 0.02, 128)).astype(np.float32), chip) for _ in range(per)])


@pytest.fixture
def window(make_window, tmp_path):
    _fill(tmp_path / "faces.db")
    return make_window()


def test_one_shot_and_calibrate_in_chinese_keep_their_state(qtbot, window):
    window.switch_to("faces")
    panel = window.panel("faces")
    panel.distance_combo.setCurrentIndex(1)
    o = panel.oneshot
    panel.tabs.setCurrentWidget(o)
    o.select(0, 2)
    window.set_language("zh_CN")
    QApplication.processEvents()
    left = english_left(o)
    assert not left, "English left in the One-shot tab:\n" + "\n".join(left)
    assert "387" in o.softmax_label.text() and "权重" in o.softmax_label.text()
    assert "不是同一个人" in o.verdict.text() and "‖²" in o.verdict.text()
    assert panel.model.squared and panel.threshold_spin.value() == pytest.approx(0.36)
    assert [c.currentIndex() for c in o.combos] == [0, 2]

    # an engine message in Chinese: too few different-person pairs to measure a 0.1 % FAR, on the squared scale
    cal = panel.calibrate
    panel.tabs.setCurrentWidget(cal)
    cal.compute()
    qtbot.waitUntil(lambda: not panel.busy() and not window.jobs.active(), timeout=WAIT)
    assert "无法测量" in cal.summary.text() and "0.36" in cal.summary.text()
    assert not english_left(cal), english_left(cal)

    window.set_language("en")
    QApplication.processEvents()
    assert not chinese_left(panel), chinese_left(panel)
    assert "cannot be measured" in cal.summary.text() and "different people" in o.verdict.text()
    assert [c.currentIndex() for c in o.combos] == [0, 2] and panel.model.squared


def test_settings_row_moves_below_the_database_when_narrow(qtbot, window):
    window.switch_to("faces")
    panel = window.panel("faces")
    # layouts settle in the event loop: wait for the panel's final width before reading the rows
    qtbot.waitUntil(lambda: panel._top.indexOf(panel.settings_bar) >= 0, timeout=5000)  # 1280 px: one row
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: panel._second.indexOf(panel.settings_bar) >= 0, timeout=5000)
    assert window.width() == 1024  # the panel no longer forces a wider window
    qtbot.waitUntil(lambda: panel.db_label.width() > 100, timeout=5000)  # the database path stays visible
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: panel._top.indexOf(panel.settings_bar) >= 0, timeout=5000)
    assert panel._second.count() == 0
