"""State of the Worked examples panel: which example view is shown, its inputs, and the engine's numbers.

Each view has a parameter dict (starting at its course example's values) and a result computed by one
engine function (:data:`COMPUTE`); the views only draw ``results[view]``. The degradation view's
training runs as a job in a worker (live curves through :attr:`CourseViewsModel.curvesUpdated`).
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from engine.i18n import N_, _

__all__ = ["CourseViewsModel", "VIEW_IDS", "VIEW_TITLES", "COMPUTE", "defaults"]

#: The views, in course order.
VIEW_IDS: tuple[str, ...] = ("dense-vs-conv", "conv-layer", "degradation", "verify-recognise", "one-shot", "triplet",
                             "total-cost", "content-cost", "gram")

#: Each view's title (translated where shown).
VIEW_TITLES: dict[str, str] = {
    "dense-vs-conv": N_("Fully connected vs convolution on a large image"),
    "conv-layer": N_("One convolution layer: filters and parameters"),
    "degradation": N_("ResNet: plain vs residual training"),
    "verify-recognise": N_("Verification (1:1) vs recognition (1:K)"),
    "one-shot": N_("One-shot learning: a softmax over people vs a similarity function"),
    "triplet": N_("Triplet loss"),
    "total-cost": N_("Style transfer: the total cost J(G)"),
    "content-cost": N_("Content cost"),
    "gram": N_("Gram matrix and style cost"),
}

#: The example each view starts at (its state gives the view's default inputs).
_DEFAULT_EXAMPLE = {"dense-vs-conv": "fc-input-1000", "conv-layer": "layer-params-280", "degradation": "resnet-plain-vs-residual",
                    "verify-recognise": "verify-threshold", "one-shot": "one-shot-new-person", "triplet": "triplet-loss",
                    "total-cost": "style-total-cost", "content-cost": "content-cost-2x2", "gram": "gram-2-channels"}


def defaults(view: str) -> dict[str, Any]:
    """A view's inputs as its course example sets them."""
    from engine.course import example

    return copy.deepcopy(example(_DEFAULT_EXAMPLE[view]).state)


def _dense(p: dict) -> Any:
    from engine.course.worked_layers import dense_vs_conv

    return dense_vs_conv(p["input_hwc"], p["hidden_units"], p.get("f", 3), p.get("filters", 10))


def _conv(p: dict) -> Any:
    from engine.course.worked_layers import conv_layer_numbers

    return conv_layer_numbers(p["input_hwc"], p["f"], p["filters"])


def _nets(p: dict) -> Any:
    from engine.course.worked_residual import degradation_nets

    return degradation_nets(p["width"])


def _verify(p: dict) -> Any:
    from engine.course.worked_faces import verification_vs_recognition

    return verification_vs_recognition(p["distances"], p["threshold"], p["people"])


def _one_shot(p: dict) -> Any:
    from engine.course.worked_faces import one_shot

    return one_shot(p["gallery"], p["new_person"], p["threshold"])


def _triplet(p: dict) -> Any:
    from engine.course.worked_faces import triplet

    return triplet(p["anchor"], p["positive"], p["negative"], p["margin"])


def _total(p: dict) -> Any:
    from engine.course.worked_style import total_cost

    return total_cost(p["alpha"], p["beta"], p["content"], p["style"])


def _content(p: dict) -> Any:
    from engine.course.worked_style import content_cost

    return content_cost(p["a_C"], p["a_G"])


def _gram(p: dict) -> Any:
    from engine.course.worked_style import gram_style

    return gram_style(p["a_S"], p["a_G"], p["hw"])


#: view id → the engine function (through its parameters) that gives every number the view shows.
COMPUTE: dict[str, Callable[[dict], Any]] = {
    "dense-vs-conv": _dense, "conv-layer": _conv, "degradation": _nets, "verify-recognise": _verify,
    "one-shot": _one_shot, "triplet": _triplet, "total-cost": _total, "content-cost": _content, "gram": _gram,
}


class CourseViewsModel(QObject):
    """Panel state. ``viewChanged(view)``: another view is shown; ``resultChanged(view)``: its numbers changed."""

    viewChanged = Signal(str)
    resultChanged = Signal(str)
    curvesUpdated = Signal(object)  # ResidualCurves
    runFinished = Signal(str)  # a translated sentence
    busyChanged = Signal()

    def __init__(self, jobs, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.view = VIEW_IDS[0]
        self.params: dict[str, dict[str, Any]] = {v: defaults(v) for v in VIEW_IDS}
        self.results: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.curves = None  # the degradation run's latest curves
        self.run_result = None
        self.run_message: tuple[str, dict] | None = None
        self.run_handle = None
        self._run_again = False  # start a new run once the cancelled one has stopped
        self._run_id = 0  # curves of an older (cancelled) run are not drawn
        for v in VIEW_IDS:
            self._compute(v)

    # -- views and inputs --

    def set_view(self, view: str) -> None:
        """Show ``view`` (one of :data:`VIEW_IDS`)."""
        if view not in VIEW_IDS:
            raise ValueError(f"unknown view {view!r}")
        if view != self.view:
            self.view = view
            self.viewChanged.emit(view)

    def set_params(self, view: str, **changes: Any) -> None:
        """Change some inputs of ``view`` and recompute its numbers."""
        self.params[view].update(changes)
        self._compute(view)

    def reset(self, view: str) -> None:
        """Put ``view`` back at its course example's inputs."""
        self.params[view] = defaults(view)
        self._compute(view)

    def _compute(self, view: str) -> None:
        try:
            self.results[view] = COMPUTE[view](self.params[view])
            self.errors.pop(view, None)
        except ValueError as exc:  # a size the learner typed that cannot work: said in one line, last numbers kept
            self.errors[view] = str(exc)
        self.resultChanged.emit(view)

    def apply_example(self, state: dict) -> None:
        """Show a course example: its view, at the example's inputs (others reset too); the degradation example starts training."""
        view = state.get("view", "")
        if view not in VIEW_IDS:
            raise ValueError(f"the example names no view of this panel: {view!r}")
        params = defaults(view)
        params.update(copy.deepcopy(state))
        self.params[view] = params
        self._compute(view)
        self.set_view(view)
        self.viewChanged.emit(view)
        if view == "degradation":
            self.curves = None
            self.run_result = None
            self._run_id += 1
            self.curvesUpdated.emit(None)
            if self.run_handle is not None:  # a run with other settings: stop it, then start afresh
                self._run_again = True
                self.cancel_run()
            else:
                self.run_degradation()

    # -- the degradation run --

    def _say(self, message: str, **fields) -> None:
        self.run_message = (message, fields)
        self.runFinished.emit(_(message).format(**fields))

    def run_message_text(self) -> str:
        """The last run's sentence in the current language ("" before any run)."""
        if self.run_message is None:
            return ""
        message, fields = self.run_message
        return _(message).format(**fields)

    def run_degradation(self) -> None:
        """Train the plain and the residual network side by side (the view's epochs and width) in a worker."""
        if self.run_handle is not None:
            return
        from engine.course.worked_residual import degradation_run

        p = self.params["degradation"]
        self.curves = None
        self.run_result = None
        self._run_id += 1
        run_id = self._run_id

        def partial(curves) -> None:
            if run_id != self._run_id:  # a late report of a run that was replaced
                return
            self.curves = curves
            self.curvesUpdated.emit(curves)

        def done(result) -> None:
            self.run_handle = None
            self.run_result = result
            self.curves = result.curves
            self.curvesUpdated.emit(result.curves)
            self._say(N_("After {epochs} epochs ({seconds:.1f} s): training loss plain {plain:.3f}, residual {residual:.3f}."),
                      epochs=p["epochs"], seconds=result.seconds, plain=result.plain_final_loss, residual=result.residual_final_loss)
            self.busyChanged.emit()

        def failed(exc, _tb) -> None:
            self.run_handle = None
            self._say(N_("The training failed: {reason}"), reason=exc)
            self.busyChanged.emit()

        def cancelled(_partial) -> None:
            self.run_handle = None
            self._say(N_("Training cancelled; the curves so far stay on the plot."))
            self.busyChanged.emit()
            if self._run_again:
                self._run_again = False
                self.run_degradation()

        self.run_message = None
        self.run_handle = self.jobs.start(degradation_run(epochs=int(p["epochs"]), width=int(p["width"])),
                                          label=_("Plain vs residual training"), on_partial=partial, on_done=done,
                                          on_error=failed, on_cancelled=cancelled)
        self.busyChanged.emit()

    def cancel_run(self) -> None:
        """Stop the training at its next report (the curves so far stay)."""
        if self.run_handle is not None:
            self.run_handle.cancel()

    @property
    def running(self) -> bool:
        return self.run_handle is not None
