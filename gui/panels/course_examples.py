"""Showing a worked example in its panel: what to look at, what the panel cannot show yet, and the one
call that puts the panel into the example's state.

Every panel model that shows examples has ``apply_example(state: dict) -> None``; this module only
switches to the panel, hands the example's ``state`` to that model (through
:attr:`gui.context.AppContext.panel_model`) and names what to look at. Where the engine lacks what
an example needs, :func:`missing` says so in one plain sentence; nothing is faked.
"""

from __future__ import annotations

import inspect
from typing import Callable

from engine.course import example
from engine.i18n import N_, _

__all__ = ["LOOK", "look_text", "missing", "show_example", "panel_title"]

#: What to look at once the example is on screen, by example id.
LOOK: dict[str, str] = {
    "fc-input-1000": N_("Look at the parameter comparison: a fully connected layer needs a weight for every input value."),
    "edge-6x6": N_("Look at the 4×4 output: every row is 0 30 30 0."),
    "edge-6x6-mirrored": N_("Look at the 4×4 output: every row is 0 −30 −30 0, the sign has flipped."),
    "padding-6x6": N_("Look at the padded input: 8×8 with a ring of zeros, and the output is 6×6 again."),
    "stride-7x7": N_("Look at the output: 7×7 with a 3×3 kernel and stride 2 gives 3×3."),
    "stride-6x6-valid": N_("Look at the output: 2×2, not 3×3; the last jump would leave the image."),
    "volume-6x6x3": N_("Look at the output: 4×4×2, one channel per filter; each step adds 27 products."),
    "red-vertical-edge": N_("Look at the filter: only the red kernel is non-zero, and the output rows are 0 30 30 0."),
    "layer-params-280": N_("Look at the parameter count: (3·3·3 + 1) per filter."),
    "relu-step": N_("Look at the output: before ReLU a row is 5 −25 −25 5, after it 5 0 0 5."),
    "pool-max-4x4": N_("Look at the pooled 2×2 output: 9 2 / 6 3."),
    "pool-avg-4x4": N_("Look at the pooled 2×2 output: 3.75 1.25 / 3.75 2; the lower-left mean is (1 + 3 + 5 + 6)/4 = 3.75."),
    "pool-global-7x7x1000": N_("Look at the pooled output: each channel becomes one number, 1×1."),
    "sharing-6x6-3x3": N_("Look at the parameter comparison: 10 for the convolution, 592 for a fully connected layer."),
    "activation-sizes-lenet-like": N_("Look at the Activations column: 6,272, 1,568, 1,600, 400, 120, 84, 10."),
    "translation-shift-2": N_("Look at the maps: the feature map moves by 2 pixels, the pooled map by 1 cell."),
    "lenet5-params": N_("Look at the table: 28×28×6, 14×14×6, 10×10×16, 5×5×16, and 61,706 parameters in total."),
    "alexnet-paper-shapes": N_("Look at the output shapes, layer by layer: conv1 gives 55×55×96."),
    "alexnet-224-vs-227": N_("Look at the output size: 55 from 227; set n to 224 and it is 54."),
    "vgg16-params": N_("Look at the total: 138,357,544 parameters."),
    "nin-imagenet-gap": N_("Look at the last 1×1 convolution (6×6×1000) and the global average pooling after it (0 parameters)."),
    "resnet50-projections": N_("Look at the rows named downsample: the 1×1 projection shortcuts, the first one 56×56×256."),
    "resnet-plain-vs-residual": N_("Look at the two training curves: the residual network's loss falls faster than the plain one's, at the same depth and parameters."),
    "one-by-one-6x6x32": N_("Look at the output: 6×6×4; each filter has 32 weights, one per input channel."),
    "one-by-one-28x28x192": N_("Look at the output: height and width stay, the channels change; 32·(192 + 1) = 6,176 parameters."),
    "inception-bottleneck-params": N_("Look at the two parameter counts: 409,600 directly, 59,392 through the bottleneck."),
    "inception-bottleneck-macs": N_("Look at the two costs: 120,422,400 multiplications directly, 12,443,648 through 16 channels."),
    "inception-v1-paper": N_("Look at the 5×5 branches of the Inception modules."),
    "mirror-flip": N_("Look at the samples: every one is flipped left to right."),
    "colour-shift-manual": N_("Look at the colours of the samples."),
    "y-vector-8": N_("Look at y of the one cell of the 1×1 grid: 8 numbers, p_c 1, b_x 0.4, b_y 0.6, b_h 0.6, b_w 0.4, c1 0, c2 1, c3 0 (a car)."),
    "sliding-window-count": N_("Look at the input: a 64×64 image gives a 26×26 output map, 676 windows."),
    "sliding-windows-three-sizes": N_("Look at the number of windows of each size."),
    "conv-sliding-16x16": N_("Look at the 2×2 output map: click a cell, the cropped and the convolutional answers agree."),
    "yolo-grid-3x3": N_("Look at the output 3×3×8 (H×W×C) and cell (2, 1), which holds the motorcycle's midpoint: p_c 1, c3 1."),
    "iou-two-boxes": N_("Look at the IoU: 4 / 28 ≈ 0.143."),
    "nms-five-boxes": N_("Look at the NMS sandbox: p_c 0.6 is discarded, then NMS keeps the boxes scored 0.9 and 0.8, one per car. Press Back to step through."),
    "anchors-3x3x16": N_("Look at the output 3×3×16 (H×W×C) and cell (1, 1): both objects kept in the shared cell, the pedestrian in anchor 1 (tall), the car in anchor 2 (wide)."),
    "verify-threshold": N_("Look at the threshold τ = 0.6: a distance of 0.5 is the same person, 0.7 is not; recognition compares with all K people."),
    "one-shot-new-person": N_("Look at the softmax: it must pick one of the 5 people for the 6th; the similarity function enrolls one photo and recognises them."),
    "siamese-squared-distance": N_("Distances are shown as ‖·‖²: the threshold τ = 0.6 becomes 0.36, a distance of 0.5 becomes 0.25."),
    "triplet-loss": N_("Look at the loss terms and the margin α = 0.2."),
    "style-total-cost": N_("Look at the weights α and β of the total cost."),
    "content-cost-2x2": N_("Look at the differences, their squares and half their sum: 2.5."),
    "gram-2-channels": N_("Look at G(G) = [[30, 6], [6, 2]] and the style cost 752 / 256."),
}


def _manual_colour() -> bool:
    from dataclasses import fields

    from engine.augment import AugmentConfig

    return "hand_offsets" in {f.name for f in fields(AugmentConfig)}


def _never() -> bool:
    return False


# example id → (probe: True when the panel can show it, what is missing, the panel it will come to)
_NEEDS: dict[str, tuple[Callable[[], bool], str, str]] = {
    "layer-params-280": (_never, N_("ten filters (the lab shows up to four)"), "convolution"),
    "resnet-plain-vs-residual": (_never, N_("the plain-versus-residual training curves"), "architectures"),
    "one-by-one-28x28x192": (_never, N_("192 input channels and 32 filters (the lab allows up to 32 channels and 4 filters)"), "convolution"),
    "colour-shift-manual": (_manual_colour, N_("colour offsets set by hand (they are random only)"), "augmentation"),
    "one-shot-new-person": (_never, N_("sample photos to enroll"), "faces"),
    "verify-threshold": (_never, N_("distances chosen by hand"), "faces"),
    "triplet-loss": (_never, N_("a triplet of hand-chosen encodings in the Triplet view"), "faces"),
    "style-total-cost": (_never, N_("costs chosen by hand"), "style_transfer"),
    "content-cost-2x2": (_never, N_("activations chosen by hand"), "style_transfer"),
    "gram-2-channels": (_never, N_("activations chosen by hand in the Gram view"), "style_transfer"),
}


def panel_title(panel_id: str) -> str:
    """The translated title of a registered panel (its id when it is not registered)."""
    from . import panel_entries

    for entry in panel_entries():
        if entry.panel_id == panel_id:
            return _(entry.title)
    return panel_id


def look_text(example_id: str) -> str:
    """The translated "Look at …" line of an example ("" when it has none)."""
    text = LOOK.get(example_id, "")
    return _(text) if text else ""


def missing(example_id: str) -> str:
    """One translated sentence naming what the example needs and the panel can't do yet; "" when nothing is missing."""
    entry = _NEEDS.get(example_id)
    if entry is None or example(example_id).panel == "course_views":  # the Worked examples panel shows it whole
        return ""
    probe, what, panel = entry
    try:
        if probe():
            return ""
    except Exception:  # a probe that fails means the capability is not there
        pass
    return _("This example needs {what}, coming in the {panel} panel. The panel shows what it can.").format(
        what=_(what), panel=panel_title(panel))


def show_example(ctx, example_id: str) -> bool:
    """Bring the example's panel to the front in the example's state and show the example bar.

    Returns False (with a status message) when the panel has no model that accepts examples.
    Raises :class:`engine.course.examples.UnknownExample` for an unknown id.
    """
    ex = example(example_id)
    ctx.switch_to(ex.panel)
    model = ctx.panel_model(ex.panel)
    apply = getattr(model, "apply_example", None)
    if apply is None:
        ctx.show_message(_("The {panel} panel cannot show worked examples yet.").format(panel=panel_title(ex.panel)), 8000)
        return False
    apply(dict(ex.state))
    ctx.show_example_bar(example_id)
    look = look_text(example_id)
    if look:
        ctx.show_message(look, 15000)
    return True
