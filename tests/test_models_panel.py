"""The Models panel drives the model manager: import, verify, download with progress."""

import hashlib

import pytest
import torch
from torch import nn
from PySide6.QtCore import Qt

from engine import weights


def builder():
    torch.manual_seed(1)
    return nn.Linear(4, 3)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    staging = tmp_path / "staging.pth"
    torch.save(builder().state_dict(), staging)
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()
    served = tmp_path / f"lin-{digest[:8]}.pth"
    staging.rename(served)
    entry = weights.WeightsEntry("lin", "test", "linear", builder, served.as_uri(), 0.01, digest[:8], "test", "test", "a tiny test model")
    monkeypatch.setitem(weights.REGISTRY, "lin", entry)
    return served


@pytest.fixture
def panel(make_window, tiny):
    win = make_window(settings=None, size=None)
    win.switch_to("models")
    p = win.current_panel()
    p.model.refresh()
    p.select("lin")
    return p


def _status_cell(panel, name):
    for r in range(panel.table.rowCount()):
        if panel.table.item(r, 0).text() == name:
            return panel.table.item(r, 3).text()
    raise AssertionError(name)


def test_download_button_installs_with_progress(panel, qtbot):
    assert _status_cell(panel, "lin") == "missing"
    assert panel.download_button.isEnabled()
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _status_cell(panel, "lin") == "installed", timeout=10000)
    assert "installed" in panel.message.text()
    assert not panel.download_button.isEnabled()
    qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "lin: installed"


def test_import_wrong_file_is_refused_in_the_panel(panel, tmp_path):
    bad = tmp_path / "bad.pth"
    torch.save(nn.Linear(5, 3).state_dict(), bad)
    assert panel.import_selected(str(bad)) is False
    assert "does not fit" in panel.message.text()
    assert _status_cell(panel, "lin") == "missing"


def test_import_good_file(panel, tmp_path):
    good = tmp_path / "good.pth"
    m = nn.Linear(4, 3)
    torch.save(m.state_dict(), good)
    assert panel.import_selected(str(good)) is True
    assert _status_cell(panel, "lin") == "imported"


def test_failed_download_says_failed_once(panel, qtbot, tiny, monkeypatch):
    gone = tiny.with_name("gone.pth")
    import dataclasses

    monkeypatch.setitem(weights.REGISTRY, "lin", dataclasses.replace(weights.REGISTRY["lin"], url=gone.as_uri()))
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=10000)
    text = panel.message.text()
    assert text.startswith("Download of lin failed: "), text
    assert "Download failed" not in text


def test_open_weights_folder_without_file_manager_shows_and_copies_the_path(panel, qtbot, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    folder = str(weights.weights_dir())
    assert panel.copy_path_button.isHidden()
    qtbot.mouseClick(panel.folder_button, Qt.MouseButton.LeftButton)
    assert folder in panel.folder_label.text() and panel.folder_label.isVisible()
    assert "No file manager" in panel.folder_label.text()
    assert panel.copy_path_button.isVisible()
    qtbot.mouseClick(panel.copy_path_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == folder
