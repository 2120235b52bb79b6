"""Texts the Convolution panel composes: the formula line, captions, the parameter table, the pointwise view.

Each is built at show time from the model's numbers, so a language or shape-notation change re-renders it.
"""

from __future__ import annotations

from engine import conv
from engine.i18n import N_, _
from engine.shapes import format_shape

from .convolution_model import ConvLabModel

__all__ = [
    "coverage_caption", "formula_html", "no_output", "params_html", "pointwise_html", "shift_html",
    "INPUT_LABELS", "KERNEL_LABELS", "MODE_LABELS", "POOL_LABELS", "RANDOM_WEIGHTS",
]

RED = "#c62828"
AMBER = "#9a6700"

#: Kernel menu entry that fills the filters with small random integers (not an engine preset).
RANDOM_WEIGHTS = "random weights"
#: Display names of the engine's identifiers (the identifiers stay the combo boxes' data).
INPUT_LABELS = {
    "vertical edge 6×6": N_("vertical edge 6×6"), "random integers": N_("random integers"),
    "checkerboard": N_("checkerboard"), "photo crop": N_("photo crop"), "custom": N_("custom"),
}
KERNEL_LABELS = {
    "vertical edge": N_("vertical edge"), "horizontal edge": N_("horizontal edge"), "sobel x": N_("sobel x"),
    "sobel y": N_("sobel y"), "scharr x": N_("scharr x"), "scharr y": N_("scharr y"), "box blur": N_("box blur"),
    "gaussian": N_("gaussian"), "sharpen": N_("sharpen"), "laplacian": N_("laplacian"), "identity": N_("identity"),
    "custom": N_("custom"), "red vertical edge": N_("red vertical edge"), RANDOM_WEIGHTS: N_("random weights"),
}
MODE_LABELS = {"zeros": N_("zeros"), "reflect": N_("reflect"), "replicate": N_("replicate"), "circular": N_("circular")}
POOL_LABELS = {"none": N_("none"), "max": N_("max"), "avg": N_("avg"), "global": N_("global")}


def label(table: dict[str, str], key: str) -> str:
    """The translated display name of an identifier (the identifier itself when unknown)."""
    return _(table[key]) if key in table else key


def no_output(reason: str) -> str:
    """'No output: <reason>' without saying it twice."""
    if reason.lower().startswith("no output"):
        return reason[0].upper() + reason[1:]
    return _("No output: {reason}").format(reason=reason)


def formula_html(m: ConvLabModel) -> str:
    """The output-size formula with the current numbers (and the pooling's, if any), shapes in the chosen notation."""
    n, f, p, s, d = m.n, m.f, m.padding, m.stride, m.dilation
    if m.pool_only and m.drawn:
        return _pool_only_html(m)
    top = n + 2 * p - d * (f - 1) - 1
    head = f"<b>o = ⌊(n + 2p − d(f−1) − 1)/s⌋ + 1</b> = ⌊({n} + 2·{p} − {d}·({f}−1) − 1)/{s}⌋ + 1"
    if top < 0 or (m.drawn and m.anim is None):
        return f"{head} = ⌊{top}/{s}⌋ + 1 → <span style='color:{RED}'><b>" + _("no output") + "</b></span>"
    o = top // s + 1
    shape = format_shape((m.filters, o, o))
    text = f"{head} = ⌊{top}/{s}⌋ + 1 = <b>{o}</b> &nbsp;→&nbsp; " + _("output {shape}").format(shape=shape)
    if not m.drawn:
        return text + "<br><span style='color:gray'>" + _(
            "The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT) + "</span>"
    pool = m.anim.pool if m.anim is not None else None
    if pool is not None:
        pooled = format_shape((m.filters, pool.out_size[0], pool.out_size[1]))
        if pool.kind == "global":
            text += "<br>" + _("global average pooling → {shape}").format(shape=pooled)
        else:
            ps, pst = pool.window[0], pool.stride
            line = _("{kind} pool {f}×{f}, stride {s}").format(kind=label(POOL_LABELS, pool.kind), f=ps, s=pst)
            text += f"<br>{line}: ⌊({o} − {ps}) / {pst}⌋ + 1 = <b>{pool.out_size[0]}</b> → {pooled}"
    elif m.pool_error:
        text += f"<br><span style='color:{RED}'>" + _("pooling: {reason}").format(reason=m.pool_error) + "</span>"
    return text


def _pool_only_html(m: ConvLabModel) -> str:
    shape_in = format_shape((m.channels, m.n, m.n))
    head = _("Pooling only (no convolution) on the input {shape}").format(shape=shape_in)
    if m.anim is None or m.anim.pool is None:
        return f"<b>{head}</b> → <span style='color:{RED}'><b>" + _("no output") + "</b></span>"
    pool = m.anim.pool
    out = format_shape((m.channels, pool.out_size[0], pool.out_size[1]))
    if pool.kind == "global":
        return f"<b>{head}</b><br>" + _("global average pooling → {shape}").format(shape=out) + _example_scale_html(m)
    ps, pst = pool.window[0], pool.stride
    line = _("{kind} pool {f}×{f}, stride {s}").format(kind=label(POOL_LABELS, pool.kind), f=ps, s=pst)
    return f"<b>{head}</b><br>{line}: ⌊({m.n} − {ps}) / {pst}⌋ + 1 = <b>{pool.out_size[0]}</b> → " + _("output {shape}").format(shape=out)


def _example_scale_html(m: ConvLabModel) -> str:
    """For an example with more channels than the lab draws: its real shapes, and what the lab shows of it."""
    if m.example_shape is None:
        return ""
    c, h, w = m.example_shape
    pool = m.anim.pool if m.anim is not None else None
    oh, ow = pool.out_size if pool is not None else (1, 1)
    return "<br>" + _("The example: {shape_in} → {shape_out}, 0 parameters. The lab draws {k} of the {c} channels; "
                      "every channel is pooled the same way, to one number.").format(
        shape_in=format_shape((c, h, w)), shape_out=format_shape((c, oh, ow)), k=m.channels, c=f"{c:,}")


def nowrap(expr: str) -> str:
    """``expr`` as one unbreakable piece of rich text (no line break inside a formula)."""
    return "<span style='white-space:nowrap'>" + expr.replace(" ", "&nbsp;") + "</span>"


def coverage_caption(m: ConvLabModel) -> str:
    """The coverage heat map's caption; each setting and each number stays on one line (no-break spaces)."""
    nb = "\u00a0"
    settings = f"n={m.n}, f={m.f}, p={m.padding}, s={m.stride}, d={m.dilation}".replace(" ", nb)
    cov = m.coverage()
    if cov is None:
        return _("Windows that read each input pixel ({settings})").format(settings=settings)
    text = _("Windows that read each input pixel ({settings}): corner {corner}, centre {centre}, from {low} to {high}").format(
        settings=settings, corner=cov[0, 0], centre=cov[m.n // 2, m.n // 2], low=cov.min(), high=cov.max()
    )
    # glue each number to the word before it, and "from a to b" together
    for word in ("corner ", "centre ", "from ", " to "):
        text = text.replace(word, word.replace(" ", nb))
    return text


def params_html(m: ConvLabModel) -> str:
    """The parameter count of the conv layer against a fully connected layer with the same output."""
    cmp = m.params()
    if cmp is None:
        return "<p>" + _("No output with these settings, so there is no layer to count.") + "</p>"
    c, h, w = cmp.in_shape
    oc, oh, ow = cmp.out_shape
    conv_expr = nowrap(f"(f·f·n<sub>c</sub> + 1)·n<sub>c</sub>′ = ({m.f}·{m.f}·{c} + 1)·{oc}")
    dense_expr = _("{weights} weights + {biases} biases").format(
        weights=nowrap(f"{c * h * w:,} × {oc * oh * ow:,}"), biases=nowrap(f"{cmp.dense_biases:,}")
    )
    shapes = _("Input {shape_in} → output {shape_out}").format(shape_in=nowrap(format_shape(cmp.in_shape)), shape_out=nowrap(format_shape(cmp.out_shape)))
    if m.dense_units:
        units = f"{m.dense_units:,}"
        dense_expr = _("{weights} weights + {biases} biases").format(
            weights=nowrap(f"{c * h * w:,} × {units} = {c * h * w * m.dense_units:,}"), biases=nowrap(units))
        shapes += "<br>" + _("Fully connected layer: {units} units, each with a weight for every one of the {inputs} input values").format(
            units=f"<b>{units}</b>", inputs=f"{c * h * w:,}")
    why = _("The fully connected layer needs <b>{ratio}×</b> as many parameters. A conv layer shares one small filter "
            "across every position (parameter sharing) and each output looks only at its window "
            "(sparse connections: {window} inputs instead of {inputs}).").format(
        ratio=f"{cmp.ratio:,.0f}", window=m.f * m.f * c, inputs=f"{c * h * w:,}")
    classic = _("Classic example: {a} → {b} with 5×5 filters is 456 parameters against 14,450,688 weights plus 4,704 biases.").format(
        a=format_shape((3, 32, 32)), b=format_shape((6, 28, 28)))
    return (
        "<h3>" + _("Parameters") + "</h3>"
        f"<p>{shapes}</p>"
        "<table cellpadding=4>"
        "<tr><td><b>" + _("Conv layer") + f"</b></td><td align=right>{conv_expr}</td>"
        f"<td align=right><b>{cmp.conv_total:,}</b></td></tr>"
        "<tr><td><b>" + _("Fully connected") + f"</b></td><td align=right>{dense_expr}</td>"
        f"<td align=right><b>{cmp.dense_total:,}</b></td></tr>"
        "</table>"
        f"<p>{why}</p>"
        f"<p style='color:gray'>{classic}</p>"
    )


def pointwise_html(m: ConvLabModel) -> str:
    """For a 1×1 kernel: the pixel under the current step as a fully connected layer (inputs, weights, dot product).

    "" when the kernel is not 1×1 or there is no output.
    """
    if m.f != 1 or m.anim is None or m.pool_only or m.dilation != 1 or m.padding or m.stride != 1:
        return ""
    step = m.anim.step(min(m.step, len(m.anim.conv.steps) - 1))
    if not hasattr(step, "out_channel"):
        step = m.anim.conv.steps[len(m.anim.conv.steps) - 1]
    view = conv.pointwise_view(m.input, m.weights, m.bias, relu=m.relu)
    x, w, z = view.dot(step.row, step.col, step.out_channel)
    out = float(view.output[step.out_channel, step.row, step.col])
    c = len(x)
    head = _("1×1 convolution = a fully connected layer at each pixel: {c} inputs → {k} output(s), {p} parameters for the whole image").format(
        c=c, k=m.filters, p=view.params)
    cells = lambda vals: "".join(f"<td align=right>{conv.fmt(float(v))}</td>" for v in vals)  # noqa: E731
    table = (
        "<table cellspacing=0 cellpadding=2 border=1 style='border-color:#bbb'>"
        "<tr><td><b>" + _("pixel ({r}, {c})").format(r=step.row, c=step.col) + "</b></td>" + cells(x) + "</tr>"
        "<tr><td><b>" + _("weights of filter {k}").format(k=step.out_channel + 1) + "</b></td>" + cells(w) + "</tr>"
        "</table>"
    )
    result = _("dot product {dot} + bias {bias} = {z}").format(dot=conv.fmt(z - float(view.bias[step.out_channel])), bias=conv.fmt(float(view.bias[step.out_channel])), z=conv.fmt(z))
    if m.relu:
        result += " → " + _("ReLU → output {value}").format(value=conv.fmt(out))
    else:
        result += " = " + _("output {value}").format(value=conv.fmt(out))
    return f"<b>{head}</b>{table}{result}"


def shift_html(demo: conv.ShiftDemo) -> str:
    """The translation demo's measures as one paragraph."""
    k = demo.shift[1]
    moved = _("The feature map moved by {k} pixel(s) with the input (largest difference from the moved map: {err}).").format(
        k=k, err=conv.fmt(demo.feature_shift_error))
    same = _("Values unchanged at the same place: feature map {a}, pooled map {b} ({kind} pooling {f}×{f}, stride {s}).").format(
        a=f"{demo.feature_unchanged_fraction:.0%}", b=f"{demo.pooled_unchanged_fraction:.0%}",
        kind=label(POOL_LABELS, demo.pool.kind), f=demo.pool.size, s=demo.pool.stride)
    return f"{moved}<br>{same}"
