"""State of the sliding-window sizes run: up to three window sizes, one stride, a typed result per size."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.i18n import _
from engine.jobs import Progress

__all__ = ["SlidingSizesModel"]


class SlidingSizesModel(QObject):
    """``sizes`` (up to three window sides, pixels), ``stride``; ``runs``: one
    :class:`engine.yolo.sliding.WindowSizeRun` per size once a run finished; ``selected``: the size drawn.
    ``busy`` while the worker job runs; :meth:`cancel` stops it between sizes.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, jobs, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.sizes: list[int] = [14, 21, 28]
        self.stride = 2
        self.runs: list = []
        self.selected = 0
        self.busy = False
        self.cancelled = False
        self.image: np.ndarray | None = None
        self._handle = None

    def set_sizes(self, sizes, stride: int) -> None:
        """Window sides (zeros and repeats dropped, at most three) and the shared stride."""
        clean: list[int] = []
        for s in sizes:
            if int(s) > 0 and int(s) not in clean:
                clean.append(int(s))
        self.sizes, self.stride = clean[:3], int(stride)

    def run(self, net, image: np.ndarray) -> None:
        """Classify every window of each size in a worker job, one size after another."""
        from engine.yolo.sliding import sliding_sizes

        if self.busy or not self.sizes:
            return
        sizes, stride = tuple(self.sizes), self.stride

        def job():
            runs = []
            for k, size in enumerate(sizes):
                yield Progress(k / len(sizes), _("Sliding {size}×{size} windows…").format(size=size), list(runs))
                runs.extend(sliding_sizes(net, image, (size,), (stride,)))
            return runs

        def done(runs) -> None:
            self.busy, self.runs, self.image = False, runs, image
            self.selected = min(self.selected, max(0, len(runs) - 1))
            self.changed.emit()

        def stopped(partial) -> None:
            self.busy, self.cancelled = False, True
            if partial:
                self.runs, self.image = partial, image
            self.changed.emit()

        def error(exc, _tb) -> None:
            self.busy = False
            self.changed.emit()
            self.failed.emit(str(exc))

        self.busy, self.cancelled = True, False
        self.changed.emit()
        self._handle = self.jobs.start(job(), label=_("Sliding windows of several sizes"), on_done=done,
                                       on_error=error, on_cancelled=stopped)

    def cancel(self) -> None:
        if self._handle is not None and self.busy:
            self._handle.cancel()

    def select(self, index: int) -> None:
        self.selected = int(index)
        self.changed.emit()
