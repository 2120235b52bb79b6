"""The Architectures panel in Chinese: a live switch keeps its state, titles and engine messages are translated."""

from __future__ import annotations

import re

import pytest
import torch

from engine import i18n
from engine.arch import zoo
from engine.arch.user_model import ModelFileError, open_model

_HAN = re.compile(r"[\u3400-\u9fff]")


def _wait(qtbot, panel, name: str, shape=None) -> None:
    qtbot.waitUntil(lambda: panel.model.summary is not None and panel.model.summary.name == name
                    and (shape is None or panel.model.summary.input_shape == shape), timeout=60000)


def test_live_switch_keeps_model_input_layers_and_selection(qtbot, window):
    window.switch_to("architectures")
    panel = window.panel("architectures")
    panel.chooser.setCurrentIndex(panel.chooser.findData("alexnet-paper"))
    _wait(qtbot, panel, "alexnet-paper")
    panel.input_edit.setText("227x227x3")
    panel.input_edit.editingFinished.emit()
    _wait(qtbot, panel, "alexnet-paper", (3, 227, 227))
    panel.leaves_only.setChecked(True)
    panel.table.selectRow(panel.table.names.index("features.4"))
    assert panel.model.selected == "features.4"

    window.set_language("zh_CN")
    assert panel.chooser.currentData() == "alexnet-paper"
    assert panel.chooser.currentText() == "AlexNet（论文版，96/256/384/384/256，输入 227）（2012）"
    assert panel.model.input_shape == (3, 227, 227) and panel.input_edit.text() == "227x227x3"
    assert panel.leaves_only.isChecked() and "features" not in panel.table.names
    assert panel.model.selected == "features.4" and panel.table.selected_name() == "features.4"
    out = next(c for c in range(panel.table.columnCount()) if panel.table.horizontalHeaderItem(c).text().startswith("输出"))
    assert panel.table.horizontalHeaderItem(out).text() == "输出（H×W×C）"
    assert panel.table.item(panel.table.names.index("features.4"), out).text() == "27×27×256"
    assert "⌊(224−11)/4⌋+1 = 54" in panel.info.text() and _HAN.search(panel.info.text())
    assert "乘加" in panel.message.text()  # the selected layer's line, re-rendered
    # every zoo title goes through the catalogue
    for i in range(panel.chooser.count()):
        spec = zoo.spec(panel.chooser.itemData(i))
        assert panel.chooser.itemText(i) == i18n._("{title} ({year})").format(title=i18n._(spec.title), year=spec.year)
    assert _HAN.search(panel.chooser.itemText(panel.chooser.findData("inception-v1-paper")))
    # the notation switch still works in Chinese
    window.set_shape_order("chw")
    assert panel.input_edit.text() == "3x227x227"
    assert panel.table.item(panel.table.names.index("features.4"), out).text() == "256×27×27"

    window.set_language("en")
    assert panel.chooser.currentText().startswith("AlexNet (paper")
    assert panel.model.input_shape == (3, 227, 227) and panel.model.selected == "features.4"


def test_engine_messages_reach_the_panel_in_chinese(qtbot, window, tmp_path):
    window.switch_to("architectures")
    panel = window.panel("architectures")
    window.set_language("zh_CN")
    pickled = tmp_path / "pickled.pt"
    torch.save(zoo.LeNet5(), str(pickled))
    with pytest.raises(ModelFileError) as info:
        open_model(pickled)
    assert "pickled.pt 是用 pickle 序列化的 Python 对象" in str(info.value)
    assert "请先把模型保存为安全的格式" in str(info.value)
    assert not panel.open_model_file(pickled)
    assert "pickled.pt 是用 pickle 序列化的" in panel.message.text()
    panel.input_edit.setText("3xbad")
    panel.input_edit.editingFinished.emit()
    assert panel.message.text() == "输入形状“3xbad”的格式不对，应类似 3x224x224"
