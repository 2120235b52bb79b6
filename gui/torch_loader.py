"""Loading torch in the background, after the window's first frame.

Importing torch, torchvision and OpenCV takes seconds; the window paints first, then
:class:`TorchLoader` imports them in a thread and says when they are there. Panels that
compute wait for it; the course and the welcome page do not. :class:`FirstPaint` says when the
first frame is on screen.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

__all__ = ["HEAVY_MODULES", "FirstPaint", "TorchLoader", "torch_loaded"]

log = logging.getLogger(__name__)

#: Imported in the background, in this order (third-party only: none of them imports ConvStudio's modules).
HEAVY_MODULES = ("torch", "torchvision", "cv2")


def torch_loaded() -> bool:
    """True when torch is imported completely (not merely being imported by another thread)."""
    module = sys.modules.get("torch")
    if module is None:
        return False
    spec = getattr(module, "__spec__", None)
    return not getattr(spec, "_initializing", False)


class TorchLoader(QObject):
    """Imports :data:`HEAVY_MODULES` in a thread; ``loaded`` (seconds taken) or ``failed`` (one line) follows, on the GUI thread."""

    loaded = Signal(float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._ok = torch_loaded()
        self._error = ""

    def is_loaded(self) -> bool:
        """True once torch can be used without waiting (loaded here, or imported by anyone else meanwhile)."""
        return self._ok or torch_loaded()

    def error(self) -> str:
        """Why loading failed ("" when it has not)."""
        return self._error

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Begin loading (once). Nothing happens when torch is already loaded."""
        if self._thread is not None or self.is_loaded():
            return
        self._thread = threading.Thread(target=self._run, name="convstudio-torch-import", daemon=True)
        self._thread.start()

    def wait(self, seconds: float | None) -> bool:
        """Block up to ``seconds`` (``None``: as long as it takes) for the loading thread to finish. True when it has."""
        if self._thread is None:
            return True
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            for name in HEAVY_MODULES:
                importlib.import_module(name)
        except Exception as exc:  # a broken install: the window stays usable for the course
            self._error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            log.error("loading %s failed: %s", name, self._error)
            self.failed.emit(self._error)
            return
        self._ok = True
        took = time.perf_counter() - start
        log.info("torch loaded in the background in %.2f s", took)
        self.loaded.emit(took)


class FirstPaint(QObject):
    """Watches one widget for its first paint; ``painted`` follows once that frame is done."""

    painted = Signal()

    def __init__(self, widget: QWidget):
        super().__init__(widget)
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self.painted.emit)  # after the whole frame is painted and flushed
        return False
