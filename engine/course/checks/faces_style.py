"""Checkers for face recognition and neural style transfer."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import _
from ..examples import Example
from .registry import Needs, register

__all__: list[str] = []


def _unit(d: float, dim: int = 128) -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros(dim)
    b = np.zeros(dim)
    b[0] = d
    return a, b


@register("verify-threshold")
def _verify(ex: Example) -> dict[str, Any]:
    from ...face.match import verify

    out = {}
    for d in ex.state["distances"]:
        out[f"same_at_{str(d).replace('.', '_')}"] = verify(*_unit(d), threshold=ex.state["threshold"]).same
    return out


@register("one-shot-new-person")
def _one_shot(ex: Example) -> dict[str, Any]:
    from ...face.match import Gallery

    s = ex.state
    rng = np.random.default_rng(0)
    people = s["gallery"] + [s["new_person"]]
    emb = rng.standard_normal((len(people), 128)) * 0.2  # one descriptor per person, far apart
    gallery = Gallery.from_labels(emb, people, device="cpu")
    query = emb[-1] + 0.01
    ident = gallery.identify(query[None], threshold=s["threshold"])[0]
    return {"recognised": ident.name, "people": len(gallery.names)}


@register("siamese-squared-distance")
def _siamese(ex: Example) -> dict[str, Any]:
    from ...face import match

    d = match.face_distance(*_unit(ex.state["distance"]))
    out: dict[str, Any] = {"distance": d}
    need = _("needs a squared-distance conversion in engine.face.match")
    show = getattr(match, "to_display_distance", None)
    threshold_in = getattr(match, "threshold_in", None)
    out["squared"] = Needs(need) if show is None else show(d, "squared")
    out["threshold_squared"] = Needs(need) if threshold_in is None else threshold_in(ex.state["threshold"], "squared")
    return out


@register("triplet-loss")
def _triplet(ex: Example) -> dict[str, Any]:
    from ...face.triplet import triplet_terms

    s = ex.state
    t = triplet_terms(np.array(s["anchor"]), np.array(s["positive"]), np.array(s["negative"]), s["margin"])
    return {"ap": t.ap, "an": t.an, "loss": t.loss}


@register("style-total-cost")
def _total_cost(ex: Example) -> dict[str, Any]:
    import torch

    from ...style.losses import total_loss

    s = ex.state
    j, *_terms = total_loss(torch.tensor(s["content"]), torch.tensor(s["style"]), torch.tensor(0.0), s["alpha"], s["beta"], 0.0)
    return {"total": float(j)}


@register("content-cost-2x2")
def _content(ex: Example) -> dict[str, Any]:
    import torch

    from ...style.losses import content_loss

    a_c = torch.tensor(ex.state["a_C"], dtype=torch.float32)[None, None]
    a_g = torch.tensor(ex.state["a_G"], dtype=torch.float32)[None, None]
    return {"cost": float(content_loss(a_c, a_g))}


@register("gram-2-channels")
def _gram(ex: Example) -> dict[str, Any]:
    import torch

    from ...style.losses import gram_matrix, style_layer_loss

    h, w = ex.state["hw"]
    a_g = torch.tensor(ex.state["a_G"], dtype=torch.float64).view(1, -1, h, w)
    a_s = torch.tensor(ex.state["a_S"], dtype=torch.float64).view(1, -1, h, w)
    return {"gram": gram_matrix(a_g)[0], "style_cost": float(style_layer_loss(gram_matrix(a_s), a_g))}
