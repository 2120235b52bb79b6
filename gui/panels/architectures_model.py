"""State of the Architectures panel: the chosen model, its summary and diagram, the selected layer,
and the bottleneck calculator's inputs. Views bind to the signals; summaries are computed in jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.arch import zoo
from engine.arch.bottleneck import PRESETS, BottleneckCost, bottleneck
from engine.arch.diagram import Diagram, layout
from engine.arch.summary import ModelSummary, summarize_zoo
from engine.arch.user_model import UserModel, open_model
from engine import i18n
from engine.i18n import _
from engine.shapes import display_order
from engine.jobs import Job, Progress

__all__ = ["CALCULATOR_MODEL", "EXAMPLE_ROWS", "ArchitecturesModel", "summary_job"]

#: The model the table shows beside a bottleneck-calculator example: GoogLeNet, whose 5×5 branches have 1×1 reductions.
CALCULATOR_MODEL = "inception-v1-paper"
#: The layer a course example on this model is about, selected when the example is shown.
EXAMPLE_ROWS = {
    "lenet-like": "conv1",  # 28×28×8 = 6,272 activations, the largest
    "alexnet-paper": "features.0",  # conv1: 55×55×96
    "nin-imagenet": "block4.4",  # the last 1×1 convolution, 6×6×1000, before global average pooling
    "inception-v1-paper": "inception3a.branch3.1.0",  # the first true 5×5 branch
}


def summary_job(source: str | UserModel, input_shape: tuple[int, ...] | None) -> Job[tuple[ModelSummary, Diagram]]:
    """Summarise a zoo model (by name, on the meta device) or an opened user model, and lay out its diagram."""
    label = source if isinstance(source, str) else source.path.name
    yield Progress(None, _("Summarising {model}…").format(model=label))
    if isinstance(source, str):
        summary = summarize_zoo(source, input_shape)
    else:
        summary = source.summarize(input_shape)
    yield Progress(0.8, _("Laying out the diagram…"))
    return summary, layout(summary)


class ArchitecturesModel(QObject):
    """Panel state. ``source`` is a zoo name or ``"file:<path>"`` for an opened model."""

    sourceChanged = Signal(str)
    summaryChanged = Signal(object)  # ModelSummary | None
    selectionChanged = Signal(str)  # row name ("" = none)
    busyChanged = Signal(bool)
    errorChanged = Signal(str)
    bottleneckChanged = Signal(object)  # BottleneckCost
    exampleApplied = Signal(dict)  # a course example's state, after apply_example

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source: str = zoo.names()[0]
        self.input_shape: tuple[int, ...] | None = None
        self.summary: ModelSummary | None = None
        self.diagram: Diagram | None = None
        self.selected: str = ""
        self._example_row = ""  # selected when the pending summary arrives
        self.busy = False
        self.error = ""
        self.user_models: dict[str, UserModel] = {}
        self._cache: dict[tuple, tuple[ModelSummary, Diagram]] = {}
        self._laid_out: dict[tuple, tuple[str, str]] = {}  # the language and notation of each cached diagram
        self.bottleneck_params: dict[str, Any] = dict(PRESETS["inception-5x5"], bias=False)
        self.bottleneck: BottleneckCost = bottleneck(**self.bottleneck_params)

    # -- model choice --

    def spec(self) -> zoo.ModelSpec | None:
        return zoo.MODELS.get(self.source)

    def default_shape(self) -> tuple[int, ...]:
        spec = self.spec()
        if spec is not None:
            return spec.input_shape
        um = self.user_models.get(self.source)
        return um.default_input_shape() if um is not None else (3, 224, 224)

    def set_source(self, source: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Choose a zoo model name or an opened file's key; the summary is then requested by the view."""
        if source not in zoo.MODELS and source not in self.user_models:
            raise KeyError(source)
        if source == self.source and input_shape == self.input_shape and self.summary is not None:
            return
        if source != self.source:
            self._example_row = ""  # the learner moved on from the example's model
        self.source = source
        self.input_shape = input_shape
        self.summary, self.diagram = None, None
        self.set_selected("")
        self.sourceChanged.emit(source)
        self.summaryChanged.emit(None)

    def open_file(self, path: str | Path) -> str:
        """Open a TorchScript / exported program file; returns its source key. Raises ModelFileError."""
        um = open_model(path)
        key = f"file:{Path(path).resolve()}"
        self.user_models[key] = um
        return key

    def cache_key(self) -> tuple:
        return (self.source, self.input_shape)

    def cached(self) -> tuple[ModelSummary, Diagram] | None:
        """The cached summary of the current choice, its diagram laid out again if the language or notation changed."""
        key = self.cache_key()
        hit = self._cache.get(key)
        if hit is not None and self._laid_out.get(key) != (i18n.language(), display_order()):
            hit = (hit[0], layout(hit[0]))
        return hit

    def make_job(self) -> Job:
        src: str | UserModel = self.source if self.source in zoo.MODELS else self.user_models[self.source]
        return summary_job(src, self.input_shape)

    def set_result(self, key: tuple, result: tuple[ModelSummary, Diagram]) -> None:
        self._cache[key] = result
        self._laid_out[key] = (i18n.language(), display_order())
        if key != self.cache_key():
            return  # the user moved on while it ran
        self.summary, self.diagram = result
        self.set_error("")
        self.summaryChanged.emit(self.summary)
        self._select_example_row()

    def relayout(self) -> None:
        """Lay the diagram out again (its labels follow the language and the shape notation)."""
        if self.summary is None:
            return
        self.diagram = layout(self.summary)
        self._cache[self.cache_key()] = (self.summary, self.diagram)
        self._laid_out[self.cache_key()] = (i18n.language(), display_order())

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)

    def set_error(self, text: str) -> None:
        if text != self.error:
            self.error = text
            self.errorChanged.emit(text)

    # -- selection --

    def set_selected(self, name: str) -> None:
        if name != self.selected:
            self.selected = name
            self.selectionChanged.emit(name)

    # -- bottleneck calculator --

    def set_bottleneck(self, **params: Any) -> None:
        """Update some of h, w, c_in, f, c_out, c_mid, bias and recompute."""
        merged = dict(self.bottleneck_params, **params)
        cost = bottleneck(**merged)
        self.bottleneck_params = merged
        self.bottleneck = cost
        self.bottleneckChanged.emit(cost)

    # -- worked examples of the course --

    def apply_example(self, state: dict) -> None:
        """Put the panel into a course example's state: ``model`` (a zoo name, or a description starting
        with one), ``input_hwc`` (H×W×C) or ``calculator`` (a bottleneck preset). The layer the example
        is about (:data:`EXAMPLE_ROWS`) is selected once the summary is there. The view follows ``exampleApplied``."""
        if state.get("calculator") in PRESETS:
            self.set_bottleneck(**PRESETS[state["calculator"]], bias=False)
        name = state.get("model")
        if name is None and "calculator" in state:
            name = CALCULATOR_MODEL  # the table beside the calculator shows the network whose branches it costs, not a left-over one
        if isinstance(name, str):
            name = name if name in zoo.MODELS else name.split()[0]
            if name in zoo.MODELS:
                hwc = state.get("input_hwc")
                self.set_source(name, (hwc[2], hwc[0], hwc[1]) if hwc else None)
                self._example_row = EXAMPLE_ROWS.get(name, "")
                self._select_example_row()
        self.exampleApplied.emit(dict(state))

    def _select_example_row(self) -> None:
        if self._example_row and self.summary is not None:
            row, self._example_row = self._example_row, ""
            if any(r.name == row for r in self.summary.rows):
                self.set_selected(row)
