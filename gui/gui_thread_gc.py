"""Python's cyclic garbage collection, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate
when a threshold is crossed. While a job thread (or a camera reader) runs
Python code, that is often the worker: a widget tree that became garbage,
a closed window say, was then destroyed from the worker thread. Qt cannot
stop a widget's timers from another thread ("QBasicTimer::stop: Failed"),
so they stay registered and later fire into freed memory: a segmentation
fault in the GUI thread's event loop. With :func:`install_gui_thread_gc`
automatic collection is off and a GUI-thread timer collects instead, with
Python's own thresholds, so Qt objects are always destroyed on their thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

__all__ = ["GuiThreadCollector", "install_gui_thread_gc", "CHECK_INTERVAL_MS"]

#: how often the GUI thread looks whether a collection is due (a look costs next to nothing)
CHECK_INTERVAL_MS = 200


class GuiThreadCollector(QObject):
    """Disables automatic collection and collects on a timer of the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations Python would have collected by now; returns the generation, or -1 for none."""
        if not gc.isenabled() and gc.get_count()[0] >= gc.get_threshold()[0]:
            t0, t1, t2 = gc.get_threshold()
            _, c1, c2 = gc.get_count()
            generation = 2 if c1 + 1 >= t1 and c2 + 1 >= t2 else 1 if c1 + 1 >= t1 else 0
            gc.collect(generation)
            self.collections += 1
            return generation
        return -1


def install_gui_thread_gc() -> GuiThreadCollector | None:
    """Make the running application collect garbage on its GUI thread only (once per application).

    Call on the GUI thread after the QApplication exists; returns the collector (None without an application).
    """
    app = QCoreApplication.instance()
    if app is None:
        return None
    existing = app.findChild(GuiThreadCollector)
    if existing is not None:
        gc.disable()  # in case something switched automatic collection back on
        return existing
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("install_gui_thread_gc must be called on the GUI thread")
    return GuiThreadCollector(app)
