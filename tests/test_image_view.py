"""The image view's placeholder: long messages (camera errors, say) wrap inside the view."""

from __future__ import annotations

import numpy as np

from gui.widgets.image_view import ImageView

MESSAGE = ("Camera 7 could not be opened: it is not connected, or another program is using it. "
           "Plug it in or choose another source; the panel picks it up again when it returns.")


def _text_rows_and_columns(view: ImageView) -> tuple[np.ndarray, np.ndarray]:
    image = view.grab().toImage()
    arr = np.array([[image.pixelColor(x, y).lightness() for x in range(image.width())] for y in range(image.height())])
    background = np.median(arr)
    ink = np.abs(arr - background) > 40
    return np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))


def test_long_placeholder_wraps_inside_the_view(qtbot):
    view = ImageView(MESSAGE)
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    rows, cols = _text_rows_and_columns(view)
    assert rows.size and cols.size, "no placeholder text drawn"
    assert rows.max() - rows.min() > 35, "the message is on one line: it does not wrap"
    assert cols.min() > 0 and cols.max() < view.width() - 1, "the text runs off the edges"
