"""One exercise generator per section: random numbers in, (prompt, answer, solution, kind[, options]) out.

Answers and solutions are computed with the engine functions the panels use. ``options``:
``decimals`` (real-valued answers: the places asked for; absent for exact counts) and
``mistakes``, the typical wrong answers of these numbers as (value, key of
:data:`engine.course.exercises.MISTAKES`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..i18n import N_, _

__all__ = ["GENERATORS"]

Result = tuple  # (prompt, answer, solution, kind[, options])


def _i(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def _pick(rng: np.random.Generator, values: list) -> Any:
    return values[int(rng.integers(len(values)))]


def _m(a: Any) -> str:
    """A matrix or vector as text."""
    return str(np.asarray(a, dtype=np.float64).round(4).tolist()).replace(".0,", ",").replace(".0]", "]")


def _g(x: float) -> str:
    return f"{x:.4g}"


def computer_vision(rng) -> Result:
    from .. import conv

    n, units = _pick(rng, [64, 100, 128, 256, 500, 1000]), _pick(rng, [10, 100, 500, 1000])
    cmp = conv.compare_params(n, 3, n, units, bias=False)
    inputs = int(np.prod(cmp.in_shape))
    return (_("A colour image of {n}×{n}×3 (H×W×C) feeds a fully connected layer of {u} units. How many weights "
              "does that layer have (no biases)?").format(n=n, u=units),
            cmp.dense_weights,
            _("Inputs: {n}·{n}·3 = {i}. Each of the {u} units has one weight per input: {i}·{u} = {w}.").format(
                n=n, i=inputs, u=units, w=cmp.dense_weights), "number",
            {"mistakes": [(cmp.dense_weights + units, "bias_added"), (n * n * units, "no_channels"), (inputs, "inputs_not_weights")]})


def edge_detection(rng) -> Result:
    from .. import conv

    a = _i(rng, 2, 20)
    b = _i(rng, 0, 20)
    while b == a:
        b = _i(rng, 0, 20)
    x = np.zeros((1, 6, 6))
    x[0, :, :3], x[0, :, 3:] = a, b
    t = conv.trace(x, conv.kernel_preset("vertical edge", 3)[None, None])
    row = [float(v) for v in t.output[0, 0]]
    return (_("A 6×6 image has the value {a} in its left half and {b} in its right half. Convolve it with the "
              "vertical edge kernel [[1, 0, −1]] × 3 (valid). What is the first row of the 4×4 output?").format(a=a, b=b),
            row,
            _("Windows that straddle the edge give 3·{a} − 3·{b} = {v}; windows on one side give 0. Each row is "
              "{row}.").format(a=a, b=b, v=_g(row[1]), row=_m(row)), "numbers",
            {"mistakes": [([-v for v in row], "sign"), ([v / 3 for v in row], "one_row")]})


def _size_exercise(rng, strided: bool) -> Result:
    from .. import conv

    f = _pick(rng, [1, 3, 5, 7])
    n = _i(rng, f + 2, 40)
    p = _i(rng, 0, 3)
    s = _i(rng, 2, 4) if strided else 1
    o = conv.output_size(n, f, p, s)
    return (_("Input {n}×{n}, kernel {f}×{f}, padding {p}, stride {s}. What is the output's height (and width)?").format(
                n=n, f=f, p=p, s=s),
            o,
            _("o = ⌊(n + 2p − f)/s⌋ + 1 = ⌊({n} + {p2} − {f})/{s}⌋ + 1 = {o}").format(n=n, p2=2 * p, f=f, s=s, o=o), "number",
            {"mistakes": [((n + p - f) // s + 1, "padding_once"), (-(-(n + 2 * p - f) // s) + 1, "no_floor"),
                          (n + 2 * p - f + 1, "no_stride"), ((n + 2 * p - f) // s, "off_by_one"),
                          ((n + 2 * p - f) // s + 2, "off_by_one")]})


def padding(rng) -> Result:
    return _size_exercise(rng, False)


def stride(rng) -> Result:
    return _size_exercise(rng, True)


def volumes(rng) -> Result:
    from .. import conv

    n, c, f, k = _i(rng, 5, 12), _pick(rng, [1, 3]), _pick(rng, [1, 3, 5]), _i(rng, 1, 6)
    x = np.zeros((c, n, n))
    t = conv.trace(x, np.zeros((k, c, f, f)))
    shape = [t.out_size[0], t.out_size[1], k]
    return (_("An input of {n}×{n}×{c} (H×W×C) is convolved with {k} filters of {f}×{f}×{c}, stride 1, no padding. "
              "What is the output shape (H×W×C)?").format(n=n, c=c, k=k, f=f),
            shape,
            _("Each filter gives one {o}×{o} map (o = {n} − {f} + 1); {k} filters stack into {o}×{o}×{k}.").format(
                o=shape[0], n=n, f=f, k=k), "shape",
            {"mistakes": [([shape[0], shape[1], c], "wrong_depth"), ([k, shape[0], shape[1]], "chw_order"),
                          ([n, n, k], "off_by_one")]})


def one_layer(rng) -> Result:
    from .. import conv

    f, c, k = _pick(rng, [1, 3, 5, 7]), _pick(rng, [1, 3, 16, 32, 64]), _pick(rng, [4, 8, 10, 16, 32, 64])
    total = conv.conv_params(f, c, k)
    return (_("A layer has {k} filters of {f}×{f}×{c}, each with a bias. How many parameters does it learn?").format(
                k=k, f=f, c=c),
            total,
            _("(f·f·c + 1)·k = ({f}·{f}·{c} + 1)·{k} = {t}, whatever the image size.").format(f=f, c=c, k=k, t=total),
            "number", {"mistakes": [(f * f * c * k, "no_bias"), ((f * f * c + 2) * k, "bias_twice"),
                                    ((f * f + 1) * k, "no_channels"), (f * f * c * k + 1, "no_bias")]})


def pooling(rng) -> Result:
    from .. import conv

    x = rng.integers(0, 10, (4, 4))
    kind = _pick(rng, ["max", "avg"])
    out = conv.pool_trace(x[None].astype(float), kind, 2, 2).output[0].numpy()
    other = conv.pool_trace(x[None].astype(float), "avg" if kind == "max" else "max", 2, 2).output[0].numpy()
    how = _("max pooling") if kind == "max" else _("average pooling")
    mistakes = [([float(v) for v in other.ravel()], "other_pool"), ([float(v) for v in out.T.ravel()], "column_order")]
    if kind == "avg":
        mistakes.append(([float(v) * 4 for v in out.ravel()], "sum_not_mean"))
    return (_("Apply {how} with f=2, s=2 to {x}. Write the 2×2 result.").format(how=how, x=_m(x)),
            [float(v) for v in out.ravel()],
            _("Each 2×2 block gives one value: {out}.").format(out=_m(out)), "numbers",
            {"decimals": 2 if kind == "avg" else None, "mistakes": mistakes})


def why_convolutions(rng) -> Result:
    from .. import conv

    n, f = _i(rng, 5, 16), _pick(rng, [3, 5])
    cmp = conv.compare_params(n, 1, f, 1)
    o = cmp.out_shape[1]
    return (_("A single-channel {n}×{n} input and one {f}×{f} filter give a {o}×{o} output. How many parameters "
              "would a fully connected layer need for the same input and output sizes (with biases)?").format(n=n, f=f, o=o),
            cmp.dense_total,
            _("{i} inputs × {out} outputs + {out} biases = {d}, against {c} for the filter.").format(
                i=n * n, out=o * o, d=cmp.dense_total, c=cmp.conv_total), "number",
            {"mistakes": [(n * n * o * o, "no_bias"), (n * n * o * o + 2 * o * o, "bias_twice"), (cmp.conv_total, "inputs_not_weights")]})


def lenet5(rng) -> Result:
    from .. import conv

    n, k = _pick(rng, [28, 32, 36, 40, 44]), _pick(rng, [6, 8, 16])
    c = conv.output_size(n, 5)
    p = conv.output_size(c, 2, 0, 2)
    return (_("A {n}×{n}×1 image goes through {k} filters of 5×5 (stride 1, valid) and a 2×2 average pool with "
              "stride 2. What is the resulting shape (H×W×C)?").format(n=n, k=k),
            [p, p, k],
            _("Convolution: {n} − 5 + 1 = {c}; pooling: ⌊({c} − 2)/2⌋ + 1 = {p}; so {p}×{p}×{k}.").format(n=n, c=c, p=p, k=k),
            "shape", {"mistakes": [([c, c, k], "no_pool"), ([k, p, p], "chw_order"), ([p, p, 1], "wrong_depth"),
                                   ([(n - 5) // 2, (n - 5) // 2, k], "off_by_one"), ([(n - 4) // 2 + 1, (n - 4) // 2 + 1, k], "off_by_one")]})


def alexnet(rng) -> Result:
    from .. import conv

    n, p = _pick(rng, [224, 227, 231, 235]), _i(rng, 0, 2)
    o = conv.output_size(n, 11, p, 4)
    return (_("AlexNet's first layer: 11×11 filters with stride 4 and padding {p} on a {n}×{n} input. What is the "
              "output's height?").format(p=p, n=n),
            o,
            _("⌊({n} + {p2} − 11)/4⌋ + 1 = {o}").format(n=n, p2=2 * p, o=o), "number",
            {"mistakes": [((n + p - 11) // 4 + 1, "padding_once"), (-(-(n + 2 * p - 11) // 4) + 1, "no_floor"),
                          ((n + 2 * p - 11) // 4, "off_by_one"), (n + 2 * p - 11 + 1, "no_stride")]})


def vgg16(rng) -> Result:
    from .. import conv

    c_in = _pick(rng, [3, 64, 128, 256, 512])
    c_out = min(512, c_in * 2) if c_in > 3 else 64
    total = conv.conv_params(3, c_in, c_out)
    return (_("A VGG layer: 3×3 same convolution from {a} to {b} channels, with biases. How many parameters?").format(
                a=c_in, b=c_out),
            total,
            _("(3·3·{a} + 1)·{b} = {t}").format(a=c_in, b=c_out, t=total), "number",
            {"mistakes": [(9 * c_in * c_out, "no_bias"), ((9 * c_in + 2) * c_out, "bias_twice"), ((9 + 1) * c_out, "no_channels")]})


def nin(rng) -> Result:
    from .. import conv

    c_in, k = _pick(rng, [3, 96, 192]), _pick(rng, [3, 5])
    c1, c2, c3 = (_pick(rng, [16, 32, 64, 96, 192]) for _k in range(3))
    parts = [conv.conv_params(k, c_in, c1), conv.conv_params(1, c1, c2), conv.conv_params(1, c2, c3)]
    return (_("An mlpconv block on {c} channels: {k}×{k} convolution to {a}, then 1×1 to {b}, then 1×1 to {d}, all "
              "with biases. How many parameters in total?").format(c=c_in, k=k, a=c1, b=c2, d=c3),
            sum(parts),
            _("{p0} + {p1} + {p2} = {t}").format(p0=parts[0], p1=parts[1], p2=parts[2], t=sum(parts)), "number",
            {"mistakes": [(sum(parts) - c1 - c2 - c3, "no_bias"), (sum(parts) + c1 + c2 + c3, "bias_twice")]})


def resnet(rng) -> Result:
    from .. import conv

    c_in = _pick(rng, [64, 128, 256, 512])
    c_out = c_in * _pick(rng, [2, 4])
    w = conv.conv_params(1, c_in, c_out, bias=False)
    return (_("A residual block turns {a} channels into {b}, so its shortcut needs a 1×1 projection W'. How many "
              "weights does the projection have (no bias)?").format(a=c_in, b=c_out),
            w,
            _("1·1·{a}·{b} = {w}").format(a=c_in, b=c_out, w=w), "number",
            {"mistakes": [(w + c_out, "bias_added"), (9 * w, "kernel_not_1x1")]})


def one_by_one(rng) -> Result:
    from .. import conv

    n, c, k = _pick(rng, [6, 14, 28, 56]), _pick(rng, [32, 64, 192, 256]), _pick(rng, [16, 32, 64])
    total = conv.conv_params(1, c, k)
    return (_("{k} filters of 1×1×{c} are applied to {n}×{n}×{c}. How many parameters do they have, with "
              "biases? (The output is {n}×{n}×{k}.)").format(k=k, c=c, n=n),
            total,
            _("(1·1·{c} + 1)·{k} = {t}").format(c=c, k=k, t=total), "number",
            {"mistakes": [(c * k, "no_bias"), ((c + 2) * k, "bias_twice"), (n * n * total, "positions"),
                          (n * n * c * k, "positions")]})


def inception(rng) -> Result:
    from ..arch.bottleneck import bottleneck

    c_in, f, c_out, c_mid = _pick(rng, [192, 256, 480]), _pick(rng, [3, 5]), _pick(rng, [32, 64, 128]), _pick(rng, [16, 32, 64])
    b = bottleneck(28, 28, c_in, f, c_out, c_mid)
    return (_("A {f}×{f} branch with {o} filters on 28×28×{c} gets a 1×1 bottleneck to {m} channels first. How "
              "many weights do the two convolutions have together (no biases)?").format(f=f, o=c_out, c=c_in, m=c_mid),
            b.params_reduced,
            _("1·1·{c}·{m} + {f}·{f}·{m}·{o} = {r}, against {d} without the bottleneck.").format(
                c=c_in, m=c_mid, f=f, o=c_out, r=b.params_reduced, d=b.params_direct), "number",
            {"mistakes": [(b.params_reduced + c_mid + c_out, "bias_added"), (b.params_direct, "no_bottleneck")]})


def augmentation(rng) -> Result:
    px = [_i(rng, 0, 255) for _k in range(3)]
    dv = [_pick(rng, [-40, -20, -10, 10, 20, 40]) for _k in range(3)]
    out = [int(np.clip(p + d, 0, 255)) for p, d in zip(px, dv)]
    return (_("A colour shift adds ({dr}, {dg}, {db}) to the R, G, B values of the pixel {px}, clipped to 0..255. "
              "What is the new pixel?").format(dr=dv[0], dg=dv[1], db=dv[2], px=px),
            out,
            _("({r} {dr:+d}, {g} {dg:+d}, {b} {db:+d}) clipped → {out}").format(
                r=px[0], g=px[1], b=px[2], dr=dv[0], dg=dv[1], db=dv[2], out=out), "numbers",
            {"mistakes": [([p + d for p, d in zip(px, dv)], "not_clipped"),
                          ([int(np.clip(p - d, 0, 255)) for p, d in zip(px, dv)], "other_sign")]})


def _spec(grid: int, size: int, anchors=((1.0, 1.0),)):
    from ..yolo.grid import GridSpec

    return GridSpec(grid, size, anchors, ("pedestrian", "car", "motorcycle"))


def localisation(rng) -> Result:
    from ..yolo.grid import encode_targets

    x1, y1 = _i(rng, 0, 5) * 10, _i(rng, 0, 5) * 10
    box = [x1, y1, x1 + _i(rng, 2, 5) * 10, y1 + _i(rng, 2, 5) * 10]
    label = _i(rng, 0, 2)
    y = [round(float(v), 4) for v in encode_targets(np.array([box]), np.array([label]), _spec(1, 100)).y[0, 0, 0]]
    names = [_("pedestrian"), _("car"), _("motorcycle")]
    swapped = y[:3] + [y[4], y[3]] + y[5:]
    corner = [y[0], box[0] / 100, box[1] / 100] + y[3:]
    pixels = [y[0], y[1] * 100, y[2] * 100, y[3] * 100, y[4] * 100] + y[5:]
    return (_("A 100×100 image holds one {name} with box (x1, y1, x2, y2) = {box}. Classes: pedestrian, car, "
              "motorcycle. Write y = [p_c, b_x, b_y, b_h, b_w, c_1, c_2, c_3], positions as fractions of the image.").format(
                name=names[label], box=tuple(box)),
            y,
            _("The centre is ({cx}, {cy}) and the box is {w} wide, {h} high: y = {y}.").format(
                cx=_g((box[0] + box[2]) / 2), cy=_g((box[1] + box[3]) / 2), w=box[2] - box[0], h=box[3] - box[1], y=_m(y)),
            "numbers", {"decimals": 2, "mistakes": [(swapped, "hw_swapped"), (corner, "corner"), (pixels, "pixels")]})


def sliding_windows(rng) -> Result:
    from .. import conv

    n, w, s = _pick(rng, [32, 48, 64, 100]), _pick(rng, [8, 14, 16, 24]), _pick(rng, [2, 4, 8])
    k = conv.output_size(n, w, 0, s)
    return (_("How many {w}×{w} windows fit in a {n}×{n} image at stride {s}?").format(w=w, n=n, s=s),
            k * k,
            _("Per side ⌊({n} − {w})/{s}⌋ + 1 = {k}; in all {k}² = {t} windows, one forward pass each.").format(
                n=n, w=w, s=s, k=k, t=k * k), "number",
            {"mistakes": [(k, "one_side"), ((k - 1) ** 2, "off_by_one"), ((k + 1) ** 2, "off_by_one"),
                          ((-(-(n - w) // s) + 1) ** 2, "no_floor"), ((n - w + 1) ** 2, "no_stride")]})


def conv_sliding(rng) -> Result:
    from ..yolo import sliding

    h, w = _i(rng, 7, 20) * 2, _i(rng, 7, 20) * 2
    r, c = sliding.output_size(h, w)
    return (_("The convolutional 14×14 window classifier (stride 2, 4 classes) runs on a {h}×{w}×3 image (H×W×C). "
              "What is the output shape (H×W×C)?").format(h=h, w=w),
            [r, c, 4],
            _("(({h} − 14)/2 + 1) × (({w} − 14)/2 + 1) × 4 = {r}×{c}×4: one cell per window.").format(h=h, w=w, r=r, c=c),
            "shape", {"mistakes": [([c, r, 4], "hw_swapped"), ([4, r, c], "chw_order"), ([r - 1, c - 1, 4], "off_by_one"),
                                   ([h - 13, w - 13, 4], "no_stride")]})


def bbox_prediction(rng) -> Result:
    from ..yolo.grid import encode_targets

    spec = _spec(3, 90, ((1.0, 1.0),))
    cx, cy = _i(rng, 1, 17) * 5 - 1, _i(rng, 1, 17) * 5 - 1
    bw, bh = _i(rng, 1, 4) * 10, _i(rng, 1, 4) * 10
    box = [cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]
    label = _i(rng, 0, 2)
    enc = encode_targets(np.array([box]), np.array([label]), spec)
    a = enc.assignments[0]
    y = [round(float(v), 4) for v in enc.y[a.row, a.col, 0]]
    names = [_("pedestrian"), _("car"), _("motorcycle")]
    swapped = y[:3] + [y[4], y[3]] + y[5:]
    image_units = [y[0], cx / 90, cy / 90, bh / 90, bw / 90] + y[5:]
    return (_("A 90×90 image has a 3×3 grid (cells of 30 pixels). A {name} has its centre at ({cx}, {cy}) and is "
              "{bw} wide, {bh} high. Write the y of its cell: [p_c, b_x, b_y, b_h, b_w, c_1, c_2, c_3], in cell "
              "units relative to the cell.").format(name=names[label], cx=cx, cy=cy, bw=bw, bh=bh),
            y,
            _("The centre falls in row {r}, column {c} (counting from 0): y = {y}.").format(r=a.row, c=a.col, y=_m(y)),
            "numbers", {"decimals": 2, "mistakes": [(swapped, "hw_swapped"), (image_units, "image_units")]})


def _box(rng) -> list[int]:
    x1, y1 = _i(rng, 0, 6), _i(rng, 0, 6)
    return [x1, y1, x1 + _i(rng, 2, 6), y1 + _i(rng, 2, 6)]


def _area(b) -> int:
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])


def iou(rng) -> Result:
    from ..detect.nms import iou as box_iou

    a = _box(rng)
    b = _box(rng)
    while box_iou(a, b) == 0:
        b = _box(rng)
    v = box_iou(a, b)
    inter = _area([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])])
    plus = [a[0], a[1], a[2] + 1, a[3] + 1], [b[0], b[1], b[2] + 1, b[3] + 1]  # counting corners as pixels
    return (_("Boxes (x1, y1, x2, y2): A = {a}, B = {b}. What is their IoU?").format(a=tuple(a), b=tuple(b)),
            v,
            _("IoU = intersection / union = {i} / ({sa} + {sb} − {i}) = {v}").format(
                i=inter, sa=_area(a), sb=_area(b), v=f"{v:.2f}"),
            "number", {"decimals": 2, "mistakes": [(inter / (_area(a) + _area(b)), "union_twice"),
                                                   (box_iou(*plus), "off_by_one_pixels")]})


def nms(rng) -> Result:
    from ..detect.nms import nms_by_hand

    base = [[10, 10, 60, 60], [100, 20, 150, 80]]
    boxes, scores = [], []
    for k in range(5):
        b = base[k % 2]
        d = [_i(rng, -6, 6) for _j in range(2)]
        boxes.append([b[0] + d[0], b[1] + d[1], b[2] + d[0], b[3] + d[1]])
        scores.append(round(float(_pick(rng, [0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])), 2))
    if max(scores) <= 0.6:
        scores[0] = 0.9
    if rng.random() < 0.5:
        # one box overlaps the best box of its car by exactly 0.5: 50×40 of two 50×60 boxes
        keeper = max((1, 3), key=lambda i: (scores[i], -i))
        boxes[keeper] = list(base[1])
        boxes[4 - keeper] = [base[1][0], base[1][1] + 20, base[1][2], base[1][3] + 20]

    def kept_by(pc: float, iou_threshold: float) -> list[int]:
        return sorted(i + 1 for i in nms_by_hand(boxes, scores, pc_threshold=pc, iou_threshold=iou_threshold).kept)

    r = nms_by_hand(boxes, scores, pc_threshold=0.6, iou_threshold=0.5)
    kept = sorted(i + 1 for i in r.kept)
    lines = "; ".join(_("box {k} {b} score {s}").format(k=i + 1, b=tuple(b), s=s) for i, (b, s) in enumerate(zip(boxes, scores)))
    return (_("{lines}. Drop boxes with p_c ≤ 0.6, then run non-max suppression: keep the best box and suppress "
              "every box whose IoU with it is 0.5 or more, and repeat. Which box numbers are kept (in increasing "
              "order)?").format(lines=lines),
            kept,
            _("After the score filter: {keep}. Keep the best, remove what overlaps it by IoU ≥ 0.5, repeat: {kept}.").format(
                keep=[i + 1 for i in range(5) if i not in r.discarded], kept=kept), "numbers",
            {"mistakes": [(kept_by(0.6, 0.5 + 1e-9), "iou_strict"), (kept_by(0.6 - 1e-9, 0.5), "pc_strict"),
                          (kept_by(-1.0, 0.5), "no_score_filter")]})


def anchors(rng) -> Result:
    s, b, k = _pick(rng, [3, 7, 13, 19]), _i(rng, 2, 5), _i(rng, 1, 20)
    from ..yolo.grid import GridSpec

    spec = GridSpec(s, s * 32, tuple((1.0 + a, 1.0) for a in range(b)), tuple(str(c) for c in range(k)))
    depth = spec.num_anchors * spec.vector_size
    return (_("A {s}×{s} grid, {b} anchor boxes, {k} classes. What is the output shape (H×W×C)?").format(s=s, b=b, k=k),
            [s, s, depth],
            _("{s}×{s}×{b}·(5 + {k}) = {s}×{s}×{d}").format(s=s, b=b, k=k, d=depth), "shape",
            {"mistakes": [([s, s, 5 + k], "per_anchor"), ([s, s, 5 * b + k], "per_anchor"), ([depth, s, s], "chw_order")]})


def face_recognition(rng) -> Result:
    from ..face.match import verify

    tau = _pick(rng, [0.5, 0.6, 0.7])
    d = round(float(tau + _pick(rng, [-0.25, -0.15, -0.05, 0.0, 0.05, 0.15, 0.25])), 2)
    a, b = np.zeros(128), np.zeros(128)
    b[0] = d
    same = bool(verify(a, b, tau).same)
    return (_("Verification: the distance between the photo and the claimed person's encoding is {d}, the threshold "
              "τ is {t}. Is it the same person?").format(d=d, t=tau),
            same,
            _("{d} ≤ {t}: same person.").format(d=d, t=tau) if same else _("{d} > {t}: not the same person.").format(d=d, t=tau),
            "yesno", {"mistakes": [(not same, "at_threshold")] if d == tau else []})


def one_shot(rng) -> Result:
    names = ["Ana", "Ben", "Chen", "Dara"]
    dists = [round(float(v), 2) for v in rng.uniform(0.3, 1.0, len(names))]
    tau = 0.6
    best = int(np.argmin(dists))
    answer = names[best] if dists[best] <= tau else N_("unknown")
    listing = ", ".join(f"{n}: {d}" for n, d in zip(names, dists))
    wrong = [(n, "not_nearest") for i, n in enumerate(names) if i != best]
    if dists[best] > tau:
        wrong.append((names[best], "nearest_beyond"))
    return (_("Each person was enrolled with one photo. A new photo's distances to them are {listing}; τ = {t}. Who "
              "is it? (Answer a name or 'unknown'.)").format(listing=listing, t=tau),
            answer,
            _("The nearest is {n} at {d}; {verdict}").format(
                n=names[best], d=dists[best],
                verdict=_("within τ, so it is {n}.").format(n=names[best]) if dists[best] <= tau else _("farther than τ, so unknown.")),
            "choice", {"mistakes": wrong})


def siamese(rng) -> Result:
    from ..face.match import face_distance

    a = rng.integers(-5, 6, 3) / 10
    b = rng.integers(-5, 6, 3) / 10
    while np.array_equal(a, b):
        b = rng.integers(-5, 6, 3) / 10
    d = face_distance(a, b)
    return (_("Two encodings f(x1) = {a} and f(x2) = {b}. What is the squared distance ‖f(x1) − f(x2)‖²?").format(
                a=_m(a), b=_m(b)),
            d * d,
            _("Sum of squared differences = {d2} (the plain distance is {d}).").format(d2=_g(d * d), d=_g(d)), "number",
            {"decimals": 2, "mistakes": [(d, "unsquared"), (float(np.abs(a - b).sum()), "abs_sum"),
                                         (float((a - b).sum()), "not_squared")]})


def triplet(rng) -> Result:
    from ..face.triplet import triplet_terms

    a, p, n = (rng.integers(-5, 6, 2) / 10 for _k in range(3))
    m = _pick(rng, [0.1, 0.2, 0.3])
    t = triplet_terms(a, p, n, m)
    dp, dn = float(np.linalg.norm(a - p)), float(np.linalg.norm(a - n))
    return (_("A = {a}, P = {p}, N = {n}, margin α = {m}. What is the triplet loss?").format(a=_m(a), p=_m(p), n=_m(n), m=m),
            t.loss,
            _("‖A − P‖² = {ap}, ‖A − N‖² = {an}; max({ap} − {an} + {m}, 0) = {l}").format(
                ap=_g(t.ap), an=_g(t.an), m=m, l=_g(t.loss)), "number",
            {"decimals": 2, "mistakes": [(max(t.ap - t.an, 0.0), "no_margin"), (t.ap - t.an + m, "no_clamp"),
                                         (max(dp - dn + m, 0.0), "unsquared")]})


def style_transfer(rng) -> Result:
    import torch

    from ..style.losses import total_loss

    alpha, beta = _pick(rng, [1, 10, 100]), _pick(rng, [10, 40, 1000])
    jc, js = round(float(rng.uniform(0.1, 5)), 1), round(float(rng.uniform(0.01, 1)), 2)
    j = float(total_loss(torch.tensor(jc, dtype=torch.float64), torch.tensor(js, dtype=torch.float64),
                         torch.tensor(0.0, dtype=torch.float64), alpha, beta, 0.0)[0])
    return (_("α = {a}, β = {b}, J_content = {c}, J_style = {s}. What is J(G)?").format(a=alpha, b=beta, c=jc, s=js),
            j,
            _("J(G) = {a}·{c} + {b}·{s} = {j}").format(a=alpha, c=jc, b=beta, s=js, j=_g(j)), "number",
            {"decimals": 2, "mistakes": [(alpha * js + beta * jc, "weights_swapped"), (jc + js, "no_weights")]})


def content_cost(rng) -> Result:
    import torch

    from ..style.losses import content_loss

    ac, ag = rng.integers(0, 6, (2, 2)), rng.integers(0, 6, (2, 2))
    while np.array_equal(ac, ag):
        ag = rng.integers(0, 6, (2, 2))
    j = float(content_loss(torch.tensor(ac, dtype=torch.float64)[None, None], torch.tensor(ag, dtype=torch.float64)[None, None]))
    diff = (ac - ag).astype(float)
    return (_("At layer l, a(C) = {c} and a(G) = {g}. What is J_content = ½‖a(C) − a(G)‖²?").format(c=_m(ac), g=_m(ag)),
            j,
            _("Differences {d}; half the sum of their squares = {j}").format(d=_m(ac - ag), j=_g(j)), "number",
            {"decimals": 2, "mistakes": [(2 * j, "no_half"), (float(np.abs(diff).sum()) / 2, "abs_sum"),
                                         (float(np.sqrt((diff ** 2).sum())) / 2, "unsquared")]})


def style_cost(rng) -> Result:
    import torch

    from ..style.losses import gram_matrix

    a = rng.integers(0, 4, (2, 4))
    g = gram_matrix(torch.tensor(a, dtype=torch.float64).view(1, 2, 2, 2))[0]
    return (_("An activation has 2 channels over 4 positions: channel 1 = {a}, channel 2 = {b}. What is the Gram "
              "entry G_12 = Σ a_1·a_2?").format(a=_m(a[0]), b=_m(a[1])),
            float(g[0, 1]),
            _("Multiply position by position and add: {g}. The whole Gram matrix is {G}.").format(g=_g(float(g[0, 1])), G=_m(g.numpy())),
            "number", {"mistakes": [(float(g[0, 0]), "diagonal"), (float(g[1, 1]), "diagonal")]})


#: section id → its generator.
GENERATORS: dict[str, Callable[[np.random.Generator], Result]] = {
    "computer-vision": computer_vision, "edge-detection": edge_detection, "padding": padding, "stride": stride,
    "volumes": volumes, "one-layer": one_layer, "pooling": pooling, "why-convolutions": why_convolutions,
    "lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "nin": nin, "resnet": resnet, "one-by-one": one_by_one,
    "inception": inception, "augmentation": augmentation, "localisation": localisation,
    "sliding-windows": sliding_windows, "conv-sliding": conv_sliding, "bbox-prediction": bbox_prediction,
    "iou": iou, "nms": nms, "anchors": anchors, "face-recognition": face_recognition, "one-shot": one_shot,
    "siamese": siamese, "triplet": triplet, "style-transfer": style_transfer, "content-cost": content_cost,
    "style-cost": style_cost,
}
