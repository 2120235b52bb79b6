"""Garbage Qt objects are destroyed on the GUI thread, never by a collection a job thread happens to trigger."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from engine.jobs import Progress
from gui.gui_thread_gc import GuiThreadCollector, install_gui_thread_gc


def test_a_qobject_cycle_is_freed_on_the_gui_thread_while_a_job_allocates(qtbot, make_window):
    win = make_window(settings=None, size=None, show=False)
    freed_in = []
    allocated = threading.Event()

    def job():
        yield Progress(None, "allocating")
        # thousands of live containers: far past the first-generation threshold, in this worker thread
        keep = [[] for _ in range(20000)]
        allocated.set()
        return keep

    gc.collect()  # a fresh count: nothing below reaches the threshold on the GUI thread
    garbage = QObject()
    garbage.myself = garbage  # a cycle: only the cyclic collector frees it (as a closed window's widget tree)
    weakref.finalize(garbage, lambda: freed_in.append(threading.current_thread()))
    del garbage
    results = []
    win.jobs.start(job(), label="Allocating", on_done=results.append)
    assert allocated.wait(30)  # blocks the GUI thread without allocating: only the worker could collect now
    qtbot.waitUntil(lambda: bool(freed_in), timeout=10000)
    assert freed_in == [threading.main_thread()]
    qtbot.waitUntil(lambda: bool(results), timeout=10000)


def test_collection_still_happens_with_python_thresholds(qtbot):
    collector = install_gui_thread_gc()
    assert isinstance(collector, GuiThreadCollector) and install_gui_thread_gc() is collector
    assert not gc.isenabled()
    freed = []
    gc.collect()
    for _ in range(gc.get_threshold()[0] + 10):  # enough young objects for a first-generation collection
        cycle = []
        cycle.append(cycle)
    box = QObject()
    box.myself = box
    weakref.finalize(box, freed.append, "cycle")
    del box, cycle
    qtbot.waitUntil(lambda: "cycle" in freed, timeout=5000)
    assert collector.collections >= 1
