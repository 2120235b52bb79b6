"""The main window: panels, status bar, jobs with progress and cancel, drag and drop, settings."""

import re
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from engine.device import device_label
from engine.jobs import Progress
from gui.context import make_settings
from gui.panel import Panel
from gui.panels import load_panel_classes
from gui.window import MainWindow


class ImagePanel(Panel):
    panel_id = "imagetest"
    title = "Image test"
    summary = "takes images"
    accepts_images = True

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.opened = []

    def open_image(self, path):
        from engine.io import load_image

        self.opened.append((Path(path), load_image(path).shape))


@pytest.fixture
def window(make_window):
    return make_window(load_panel_classes(strict=True) + [ImagePanel], settings=None, size=None)


def test_panels_listed_and_switchable(window, qtbot):
    ids = window.panel_ids()
    assert ids[0] == "welcome" and "models" in ids
    window.switch_to("models")
    assert window.current_panel().panel_id == "models"
    assert window.sidebar.currentItem().text() == "Models"
    assert window.device_label.text() == device_label()


def test_job_progress_shows_and_finishes(window, qtbot):
    def job():
        for i in range(5):
            time.sleep(0.01)
            yield Progress((i + 1) / 5, f"step {i + 1}", partial=i)
        return 42

    got = {}
    partials = []
    window.jobs.start(job(), label="Counting", on_partial=partials.append, on_done=lambda r: got.setdefault("r", r))
    assert window.cancel_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: "r" in got, timeout=5000)
    assert got["r"] == 42 and partials[-1] == 4
    assert not window.cancel_button.isVisibleTo(window)


def test_cancel_button_stops_job_and_keeps_partial(window, qtbot):
    cleaned = []

    def endless():
        i = 0
        try:
            while True:
                time.sleep(0.005)
                i += 1
                yield Progress(None, f"{i}", partial=i)
        finally:
            cleaned.append(True)

    kept = []
    window.jobs.start(endless(), label="Endless", on_cancelled=kept.append)
    qtbot.waitUntil(lambda: window.jobs.current() is not None and window.jobs.current().message != "", timeout=5000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(kept), timeout=5000)
    assert kept[0] >= 1 and cleaned == [True]
    assert window.jobs.active() == []


def test_job_error_reaches_status_bar(window, qtbot):
    def broken():
        yield Progress(0.1, "starting")
        raise RuntimeError("the model exploded")

    with qtbot.waitSignal(window.jobs.errorOccurred, timeout=5000) as blocker:
        window.jobs.start(broken(), label="Broken")
    assert "the model exploded" in blocker.args[1]
    assert "RuntimeError" in blocker.args[2]
    qtbot.waitUntil(lambda: "the model exploded" in window.statusBar().currentMessage(), timeout=2000)


def test_gui_stays_responsive_during_heavy_job(window, qtbot):
    """The event loop keeps ticking while a CPU-heavy torch job runs in the worker."""

    def heavy():
        x = torch.randn(1, 16, 256, 256)
        w = torch.randn(16, 16, 3, 3)
        for i in range(60):
            for _ in range(3):
                torch.nn.functional.conv2d(x, w, padding=1)
            yield Progress((i + 1) / 60, f"{i}")
        return True

    gaps = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    done = []
    timer.start()
    start = time.perf_counter()
    window.jobs.start(heavy(), label="Heavy", on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=120000)
    timer.stop()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.2, "the job should have been heavy enough to measure"
    gaps_ms = np.array(gaps[1:]) * 1000
    assert len(gaps_ms) > 10
    # The GUI thread is never held by the job: ticks keep coming at their interval.
    assert np.percentile(gaps_ms, 95) < 50, np.percentile(gaps_ms, 95)


def test_drop_image_routes_to_panel_and_recent_files(window, qtbot, tmp_path):
    path = tmp_path / "drop me.png"
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(path)
    window.switch_to("imagetest")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    panel = window.current_panel()
    assert panel.opened == [(path, (10, 12, 3))]
    assert window.recent_files()[0] == str(path)
    assert [a.text() for a in window.recent_menu.actions()] == ["drop me.png"]


def test_image_to_panel_without_images_says_so(window, tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    window.switch_to("models")
    assert window.open_image_path(path) is False
    assert "does not take images" in window.statusBar().currentMessage()


def test_bad_image_shows_error_and_keeps_running(window, tmp_path):
    path = tmp_path / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    window.switch_to("imagetest")
    assert window.open_image_path(path) is False
    assert "Cannot open image" in window.statusBar().currentMessage()
    assert window.isVisible()


def test_bad_image_error_says_cannot_open_once(window, tmp_path):
    path = tmp_path / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    window.switch_to("convolution")
    assert window.open_image_path(path) is False
    line = window.statusBar().currentMessage()
    assert line.count("Cannot open image") == 1 and str(path) in line, line


def test_settings_persist_last_panel_theme_and_device(qtbot):
    classes = load_panel_classes(strict=True)
    first = MainWindow(panel_classes=classes)
    qtbot.addWidget(first)
    first.show()
    first.switch_to("models")
    first.set_theme("dark")
    first.set_device("cpu")
    first.resize(700, 500)  # inside the offscreen 800x600 screen
    first.close()
    second = MainWindow(panel_classes=classes, settings=make_settings())
    qtbot.addWidget(second)
    second.show()
    assert second.current_panel().panel_id == "models"
    assert second.theme == "dark"
    assert second.settings.value("device") == "cpu"
    assert (second.size().width(), second.size().height()) == (700, 500)
    second.set_theme("light")


def test_help_texts_name_versions_and_shortcuts(window):
    about = window.about_text()
    assert torch.__version__ in about and "Qt" in about
    shortcuts = window.shortcuts_text()
    assert "Ctrl+O" in shortcuts and "Ctrl+2" in shortcuts


def _slow_to_return(monkeypatch, seconds=0.6):
    """Make every job thread linger after its job ended, as freeing a big model can."""
    import gui.jobs

    original = gui.jobs.JobThread.run

    def run(self):
        original(self)
        time.sleep(seconds)

    monkeypatch.setattr(gui.jobs.JobThread, "run", run)


def quick_job():
    yield Progress(0.5, "half")
    return "done"


def test_wait_all_waits_for_threads_of_ended_jobs(window, qtbot, monkeypatch):
    _slow_to_return(monkeypatch)
    got = []
    handle = window.jobs.start(quick_job(), label="Quick", on_done=got.append)
    qtbot.waitUntil(lambda: got == ["done"], timeout=5000)
    assert window.jobs.active() == []
    thread = handle.thread
    assert window.jobs.wait_all(5000)
    assert not thread.isRunning()


def test_deleting_the_runner_right_after_a_job_ended_leaves_its_thread_alone(qtbot, monkeypatch):
    """Closing a window just after a job's callback destroyed a still-running QThread (Qt aborts)."""
    import shiboken6
    from PySide6.QtCore import QObject

    import gui.jobs
    from gui.jobs import JobRunner

    _slow_to_return(monkeypatch)
    owner = QObject()
    runner = JobRunner(owner)
    got = []
    handle = runner.start(quick_job(), label="Quick", on_done=got.append)
    qtbot.waitUntil(lambda: got == ["done"], timeout=5000)
    thread = handle.thread
    assert thread.isRunning()
    shiboken6.delete(owner)
    assert not shiboken6.isValid(runner)
    qtbot.waitUntil(lambda: thread not in gui.jobs._LIVE, timeout=5000)


def test_every_panel_open_fits_1024x700(window, qtbot):
    from PySide6.QtWidgets import QTabWidget

    for panel_id in window.panel_ids():
        window.switch_to(panel_id)
        panel = window.panel(panel_id)
        qtbot.waitUntil(panel.screenshot_ready, timeout=60000)  # loaded content can widen a panel
        for tabs in panel.findChildren(QTabWidget):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                qtbot.wait(10)
    qtbot.wait(200)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, hint
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 700), timeout=5000)
    # every real panel fits beside the sidebar without a horizontal scroll bar
    room = 1024 - window.sidebar.width()
    for panel_id, panel in window.panels.items():
        assert panel.minimumSizeHint().width() <= room, (panel_id, panel.minimumSizeHint())


def test_theme_switch_restyles_sidebar_and_plot_text(window, qtbot):
    import pyqtgraph as pg
    from PySide6.QtGui import QPalette

    window.set_theme("light")
    window.switch_to("feature_maps")
    plot = window.panel("feature_maps").acc_plot  # has a title and a legend
    plot.getPlotItem().addLegend().addItem(plot.plot([0, 1], [0, 1]), "probe")

    def lightness(colour):
        return colour.lightnessF()

    for name in ("dark", "light", "dark"):
        window.set_theme(name)
        qtbot.wait(20)
        sidebar = window.sidebar.palette()
        base, text = sidebar.color(QPalette.ColorRole.Base), sidebar.color(QPalette.ColorRole.Text)
        assert (lightness(base) < 0.5) == (name == "dark"), (name, base.name())
        assert abs(lightness(text) - lightness(base)) > 0.4
        background = plot.backgroundBrush().color()
        assert (lightness(background) < 0.5) == (name == "dark"), (name, background.name())
        html = plot.getPlotItem().titleLabel.item.toHtml()
        title = pg.mkColor(re.findall(r"color:\s*(#[0-9a-fA-F]{6})", html)[-1])
        legend = plot.getPlotItem().legend
        label = legend.items[0][1]
        legend_colour = pg.mkColor(label.opts["color"])
        for colour in (title, legend_colour):
            assert abs(lightness(colour) - lightness(background)) > 0.4, (name, colour.name(), background.name())
        assert "Accuracy" in html
    window.set_theme("light")


def test_screenshots_are_exactly_the_requested_size(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from gui.screenshots import render_panels

    results = render_panels(tmp_path, (1024, 700), only=["convolution", "grid_detector"])
    assert results == {"convolution": "ok", "grid_detector": "ok"}
    for panel_id in results:
        image = QImage(str(tmp_path / f"{panel_id}.png"))
        assert (image.width(), image.height()) == (1024, 700), panel_id


def test_screenshots_refuse_a_size_below_the_minimum_in_one_line(qtbot, tmp_path, capsys):
    from gui.main import main

    assert main(["screenshots", str(tmp_path / "shots"), "--size", "200x90", "--only", "welcome"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "200x90" in lines[0] and "smallest size" in lines[0], captured.err
    assert not list((tmp_path / "shots").glob("*.png"))


def test_convolution_cells_keep_their_numbers_in_a_1024x700_window(window, qtbot):
    window.resize(1024, 700)
    window.switch_to("convolution")
    view = window.panel("convolution").view
    qtbot.waitUntil(lambda: view.anim is not None and window.width() == 1024, timeout=10000)
    qtbot.wait(50)
    right = view.mapTo(window, view.rect().bottomRight()).x()
    assert right < window.width(), "the animation is cut off on the right"
    lay = view.layout_now()
    # the view writes a cell's number only in cells of at least 17 px
    assert min(box.cell for box in lay.grids) >= 17, [(b.kind, b.cell) for b in lay.grids]


def test_faces_database_path_stays_visible_in_a_1024x700_window(window, qtbot):
    window.resize(1024, 700)
    window.switch_to("faces")
    panel = window.panel("faces")
    qtbot.waitUntil(lambda: panel.db_label.text() != "" and window.width() == 1024, timeout=20000)
    qtbot.wait(50)
    label = panel.db_label
    assert label.isVisible() and label.width() >= 250, label.width()
    assert label.mapTo(window, label.rect().topRight()).x() < window.width()


def test_faces_plot_axes_follow_a_theme_switch_made_while_the_panel_was_hidden(window, qtbot):
    """Switch theme while Faces is hidden, show it again: its plots' axes and titles read on the new background."""
    from PySide6.QtGui import QPalette

    window.set_theme("light")
    window.switch_to("faces")
    faces = window.panel("faces")
    faces.tabs.setCurrentWidget(faces.calibrate)
    plots = (faces.calibrate.hist_plot, faces.calibrate.curve_plot)
    window.switch_to("convolution")  # Faces hidden
    window.set_theme("dark")
    qtbot.wait(20)
    window.switch_to("faces")
    qtbot.wait(20)
    for plot in plots:
        background = plot.backgroundBrush().color()
        assert background.lightnessF() < 0.5
        for name in ("left", "bottom"):
            axis = plot.getPlotItem().getAxis(name)
            assert abs(axis.textPen().color().lightnessF() - background.lightnessF()) > 0.4
            assert abs(axis.pen().color().lightnessF() - background.lightnessF()) > 0.3
    assert window.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
    window.set_theme("light")
