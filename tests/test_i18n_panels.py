"""The Chinese interface, panel by panel: no English left but technical tokens; back to English, no Chinese."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from i18n_walk import chinese_left, english_left, english_words, open_every_tab

#: Panels whose every text is translated. The goal (and the state when this list names them all): every panel.
TRANSLATED_PANELS: list[str] = [
    "welcome", "course", "course_views", "convolution", "architectures", "feature_maps", "augmentation",
    "detection", "grid_detector", "style_transfer", "faces", "models",
]


def test_english_word_finder():
    assert english_words("输出 4×4×2 (H×W×C)") == []
    assert english_words("<b>ReLU</b> 在 conv5_1 上, torch.nn.Conv2d, RGB 图像 model.pth") == []
    assert english_words("Stride 2 步长") == ["Stride"]
    assert english_words("Open image…") == ["Open", "image"]


@pytest.mark.parametrize("panel_id", TRANSLATED_PANELS)
def test_panel_has_no_english_in_chinese_and_no_chinese_in_english(window, panel_id):
    window.set_language("zh_CN")
    window.switch_to(panel_id)
    panel = window.panel(panel_id)
    open_every_tab(panel, QApplication.processEvents)
    QApplication.processEvents()
    left = english_left(panel)
    assert not left, "English left in the Chinese interface:\n" + "\n".join(left)
    window.set_language("en")
    open_every_tab(panel, QApplication.processEvents)
    QApplication.processEvents()
    left = chinese_left(panel)
    assert not left, "Chinese left in the English interface:\n" + "\n".join(left)
