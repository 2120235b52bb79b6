"""Checkers of the worked examples shown in the Worked examples panel (its own view per example).

Each checker calls the very engine function the panel's view draws its numbers from
(:mod:`engine.course.worked_layers`, :mod:`~engine.course.worked_faces`,
:mod:`~engine.course.worked_style`, :mod:`~engine.course.worked_residual`) with the example's
``state``, so ``course check`` verifies what the learner sees; ``expected`` is never read.
"""

from __future__ import annotations

from typing import Any

from ..examples import Example
from .registry import register

__all__: list[str] = []


@register("fc-input-1000")
def _dense(ex: Example) -> dict[str, Any]:
    from ..worked_layers import dense_vs_conv

    s = ex.state
    r = dense_vs_conv(s["input_hwc"], s["hidden_units"], s.get("f", 3), s.get("filters", 10))
    return {"inputs": r.inputs, "weights": r.dense_weights}


@register("layer-params-280", "one-by-one-28x28x192")
def _conv_layer(ex: Example) -> dict[str, Any]:
    from ..worked_layers import conv_layer_numbers

    s = ex.state
    r = conv_layer_numbers(s["input_hwc"], s["f"], s["filters"])
    return {"params": r.params, "output_hwc": list(r.output_hwc), "weights_per_filter": r.weights_per_filter}


@register("resnet-plain-vs-residual")
def _plain_vs_residual(ex: Example) -> dict[str, Any]:
    from ...jobs import run_job
    from ..worked_residual import degradation_run

    s = ex.state
    # the view's training job, at the example's epochs and width: the networks it trains report their depths and sizes
    r = run_job(degradation_run(epochs=s["epochs"], width=s["width"])).result
    c = r.curves
    trained = len(c.plain_loss) == len(c.residual_loss) == len(c.steps) > 0
    return {"depth_plain": c.depth if trained else None, "depth_residual": c.residual_depth if trained else None,
            "same_parameters": c.plain_params == c.residual_params > 0,
            "residual_trains_lower": trained and r.residual_final_loss < r.plain_final_loss}


@register("verify-threshold")
def _verify(ex: Example) -> dict[str, Any]:
    from ..worked_faces import verification_vs_recognition

    s = ex.state
    r = verification_vs_recognition(s["distances"], s["threshold"], s["people"])
    out: dict[str, Any] = {f"same_at_{str(d).replace('.', '_')}": v.same for d, v in zip(s["distances"], r.verifications)}
    out["recognised"] = [i.name if i.known else "" for i in r.identifications]
    out["comparisons"] = [1, len(r.people)]
    return out


@register("one-shot-new-person")
def _one_shot(ex: Example) -> dict[str, Any]:
    from ..worked_faces import one_shot

    s = ex.state
    r = one_shot(s["gallery"], s["new_person"], s["threshold"])
    return {"recognised": r.after.name, "people": len(r.people_after), "before_enrolling_known": r.before.known,
            "softmax_outputs": [len(r.people_before), len(r.people_after)],
            "softmax_params": [r.softmax_params_before, r.softmax_params_after],
            "softmax_picks_an_old_person": r.softmax_guess in r.people_before and abs(sum(r.softmax_probs) - 1) < 1e-5}


@register("triplet-loss")
def _triplet(ex: Example) -> dict[str, Any]:
    from ..worked_faces import triplet

    s = ex.state
    r = triplet(s["anchor"], s["positive"], s["negative"], s["margin"])
    return {"ap": r.terms.ap, "an": r.terms.an, "loss": r.terms.loss}


@register("style-total-cost")
def _total(ex: Example) -> dict[str, Any]:
    from ..worked_style import total_cost

    s = ex.state
    return {"total": total_cost(s["alpha"], s["beta"], s["content"], s["style"]).total}


@register("content-cost-2x2")
def _content(ex: Example) -> dict[str, Any]:
    from ..worked_style import content_cost

    return {"cost": content_cost(ex.state["a_C"], ex.state["a_G"]).cost}


@register("gram-2-channels")
def _gram(ex: Example) -> dict[str, Any]:
    from ..worked_style import gram_style

    r = gram_style(ex.state["a_S"], ex.state["a_G"], ex.state["hw"])
    return {"gram": r.gram_g, "style_cost": r.cost}
