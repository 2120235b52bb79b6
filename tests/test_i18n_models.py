"""The Models panel in Chinese: a live switch keeps the selection and a running download; messages re-render."""

from __future__ import annotations

import threading

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from torch import nn

from engine import weights
from engine.i18n import _
from engine.jobs import Progress
from i18n_walk import chinese_left, english_left


def builder():
    torch.manual_seed(1)
    return nn.Linear(4, 3)


@pytest.fixture
def window(make_window, tmp_path, monkeypatch):
    served = tmp_path / "lin-00000000.pth"
    torch.save(builder().state_dict(), served)
    entry = weights.WeightsEntry("lin", "classification", "linear", builder, served.as_uri(), 0.01, "", "test", "test",
                                 "ResNet-18")
    monkeypatch.setitem(weights.REGISTRY, "lin", entry)
    win = make_window(faces_db=False)
    win.switch_to("models")
    yield win
    win.set_language("en")
    win.close()


def _row(panel, name):
    for r in range(panel.table.rowCount()):
        if panel.table.item(r, 0).text() == name:
            return [panel.table.item(r, c).text() for c in range(panel.table.columnCount())]
    raise AssertionError(name)


def test_live_switch_keeps_selection_and_running_download(window, qtbot, monkeypatch):
    panel = window.panel("models")
    panel.model.refresh()
    panel.select("lin")
    release, release_again = threading.Event(), threading.Event()

    def slow_download(name, url=None, timeout=30.0):
        yield Progress(0.25, _("Connecting for {name}…").format(name=name))
        release.wait(20)
        yield Progress(0.5, _("{name}: {received:.1f} of {total:.1f} MB").format(name=name, received=1.0, total=2.0))
        release_again.wait(20)
        yield Progress(0.9, _("{name}: {received:.1f} of {total:.1f} MB").format(name=name, received=1.8, total=2.0))
        return weights.installed_path(name)

    monkeypatch.setattr(weights, "download", slow_download)
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() == 250, timeout=10000)
    assert panel.model.busy == "lin"

    window.set_language("zh_CN")
    QApplication.processEvents()
    assert panel.selected_name() == "lin"
    assert panel.model.busy == "lin" and panel.cancel_button.isVisible() and panel.progress.isVisible()
    assert panel.progress.value() == 250 and not panel.download_button.isEnabled()
    assert panel.cancel_button.text() == "取消下载"
    assert _row(panel, "lin")[1:4] == ["分类", "0 MB", "未安装"]
    assert panel.table.horizontalHeaderItem(3).text() == "状态"
    release.set()  # the next progress report comes in the new language
    qtbot.waitUntil(lambda: panel.progress.value() == 500, timeout=10000)
    assert panel.message.text() == "lin：1.0 / 2.0 MB"
    # only the entry's name ("lin", a test name, not a word) may stay Latin
    assert all("['lin']" in line for line in english_left(panel)), english_left(panel)

    panel.cancel_download()
    release_again.set()
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=10000)
    assert panel.message.text() == "lin 的下载已取消，未保留任何文件。"
    assert panel.selected_name() == "lin"

    window.set_language("en")
    QApplication.processEvents()
    assert panel.message.text() == "Download of lin cancelled; nothing was kept."
    assert _row(panel, "lin")[1:4] == ["classification", "0 MB", "missing"]
    assert panel.selected_name() == "lin"
    assert not chinese_left(panel)


def test_refused_import_and_verify_in_chinese(window, tmp_path):
    panel = window.panel("models")
    panel.model.refresh()
    panel.select("lin")
    window.set_language("zh_CN")
    bad = tmp_path / "wrong.pth"
    torch.save(nn.Linear(5, 3).state_dict(), bad)
    assert panel.import_selected(str(bad)) is False
    text = panel.message.text()
    assert text.startswith("未导入：") and "wrong.pth" in text and "不匹配" in text, text
    good = tmp_path / "good.pth"
    torch.save(builder().state_dict(), good)
    assert panel.import_selected(str(good)) is True
    assert "已导入" in panel.message.text() and "good.pth" in panel.message.text()
    panel.verify_selected()
    assert panel.message.text() == "lin：已导入"
    window.set_language("en")
    assert panel.message.text() == "lin: imported"
    assert _row(panel, "lin")[3] == "imported"
