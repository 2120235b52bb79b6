"""Draw animation frames as RGB arrays (Pillow), for GIF/MP4 export and headless use."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..fonts import font as _font
from ..fonts import font_for as _font_for
from ..i18n import _
from .animation import Animation, FrameLayout, GridBox, fmt, frame_layout, text_colour, value_colours
from .pool import PoolStep

__all__ = ["render_frame", "step_caption", "HIGHLIGHT", "PAD_TINT"]

#: Outline of the current window and output cell.
HIGHLIGHT = (255, 196, 0)
#: Padded cells are mixed with this grey and drawn with a dotted look.
PAD_TINT = (150, 150, 150)
_GRID = (190, 190, 190)
_EMPTY = (246, 246, 246)
_INK = (30, 30, 30)


def step_caption(anim: Animation, k: int) -> str:
    """One line describing step ``k``: where the window is and what it computes.

    With ReLU the line shows the pre-activation z (conv + bias) and then ReLU(z), the value written.
    """
    s = anim.step(k)
    if isinstance(s, PoolStep):
        kind = anim.pool.kind  # type: ignore[union-attr]
        if s.argmax is not None:
            text = _("max pool {k}[{row}, {col}] = max of the window = {value}")
        elif kind == "global":
            text = _("global pool {k}[{row}, {col}] = mean of the whole map = {value}")
        else:
            text = _("avg pool {k}[{row}, {col}] = mean of the window = {value}")
        return text.format(k=s.channel + 1, row=s.row, col=s.col, value=fmt(s.result))
    c = len(s.channel_sums)
    if c == 1:
        parts = _("Σ products {value}").format(value=fmt(float(s.channel_sums[0])))
    elif c <= 4:
        names = ("R", "G", "B") if c == 3 else tuple(str(i + 1) for i in range(c))
        parts = " + ".join(f"Σ{name} {fmt(v)}" for name, v in zip(names, s.channel_sums))
    else:  # too many channels for one line: the first two, the last, and how many between
        parts = _("Σ1 {a} + Σ2 {b} + … + Σ{last} {z} (all {c} channels: {total})").format(
            a=fmt(float(s.channel_sums[0])), b=fmt(float(s.channel_sums[1])), last=c, z=fmt(float(s.channel_sums[-1])),
            c=c, total=fmt(float(s.channel_sums.sum())))
    if s.bias:
        parts = _("{sums} + bias {bias}").format(sums=parts, bias=fmt(s.bias))
    if s.relu:
        return _("output {k}[{row}, {col}]: z = {parts} = {z} → ReLU(z) = {a}").format(
            k=s.out_channel + 1, row=s.row, col=s.col, parts=parts, z=fmt(s.total), a=fmt(s.activated))
    return _("output {k}[{row}, {col}] = {parts} = {value}").format(k=s.out_channel + 1, row=s.row, col=s.col, parts=parts, value=fmt(s.total))


def _grid(img: Image.Image, draw: ImageDraw.ImageDraw, box: GridBox, colours: np.ndarray, values: np.ndarray | None, mask: np.ndarray | None, pad: np.ndarray | None, font_size: int) -> None:
    """Fill cells (colours (rows, cols, 3)); ``mask`` False cells are drawn empty; ``pad`` True cells tinted and struck through."""
    fills = colours.astype(np.float64)
    if pad is not None:
        fills[pad] = fills[pad] * 0.45 + np.array(PAD_TINT) * 0.55
    if mask is not None:
        fills[~mask] = _EMPTY
    fills = fills.astype(np.uint8)
    c = box.cell
    if float(c).is_integer() and float(box.x).is_integer() and float(box.y).is_integer():
        # one paste of the whole grid, each cell a c×c block
        c = int(c)
        block = np.repeat(np.repeat(fills, c, axis=0), c, axis=1)
        img.paste(Image.fromarray(block), (int(box.x), int(box.y)))
    else:
        for r in range(box.rows):
            for q in range(box.cols):
                x, y, w, h = box.cell_rect(r, q)
                draw.rectangle([x, y, x + w, y + h], fill=tuple(int(v) for v in fills[r, q]))
    if box.cell >= 5:
        for r in range(box.rows + 1):
            draw.line([box.x, box.y + r * box.cell, box.x + box.width, box.y + r * box.cell], fill=_GRID)
        for q in range(box.cols + 1):
            draw.line([box.x + q * box.cell, box.y, box.x + q * box.cell, box.y + box.height], fill=_GRID)
    else:
        draw.rectangle([box.x, box.y, box.x + box.width, box.y + box.height], outline=_GRID)
    show = values is not None and font_size > 0
    for r in range(box.rows):
        for q in range(box.cols):
            x, y, w, h = box.cell_rect(r, q)
            if pad is not None and pad[r, q] and w >= 8:
                draw.line([x + 2, y + h - 2, x + w - 2, y + 2], fill=(120, 120, 120), width=1)
            if show and (mask is None or mask[r, q]):
                label = fmt(float(values[r, q]))
                size = int(min(font_size, 0.92 * w / (0.62 * max(len(label), 1))))
                if size >= 7:
                    draw.text((x + w / 2, y + h / 2), label, fill=text_colour(fills[r, q]), font=_font(size), anchor="mm")


def render_frame(anim: Animation, k: int, cell: int = 26, layout: FrameLayout | None = None) -> np.ndarray:
    """Frame ``k`` of the animation as an (H, W, 3) uint8 RGB array.

    Shows the padded input channels (padding tinted and struck through), the
    window highlighted, the current filter's kernels with the element-wise
    products and each channel's sum, and the output (and pooled) maps filled
    up to this step, the cell being written outlined.
    """
    lay = layout or frame_layout(anim, cell)
    t = anim.conv
    img = Image.new("RGB", (int(np.ceil(lay.width)), int(np.ceil(lay.height))), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    label_size = int(lay.label_h * 0.7)
    vmax, ovmax = anim.vmax(), anim.out_vmax()
    step = anim.step(k)
    is_pool = isinstance(step, PoolStep)
    conv_step = t.steps[len(t.steps) - 1] if is_pool else step
    num = lambda cs: int(cs * 0.42) if cs >= 18 else None  # noqa: E731
    hp, wp = t.padded.shape[1:]
    pad_mask = np.array([[t.is_padding(r, c) for c in range(wp)] for r in range(hp)])
    filled = anim.conv_filled(k)
    ho, wo = t.out_size
    out_mask = (np.arange(t.out_channels * ho * wo) < filled).reshape(t.out_channels, ho, wo)
    out = anim.out_values()
    for box in lay.grids:
        draw.text((box.x, box.y - lay.label_h + 2), box.label, fill=_INK, font=_font_for(box.label, label_size))
        fs = num(box.cell)
        if box.kind == "input":
            vals = t.padded[box.index]
            _grid(img, draw, box, value_colours(vals, vmax), vals if fs else None, None, pad_mask, fs or 0)
            if not is_pool:
                r0, c0, r1, c1 = conv_step.rows[0], conv_step.cols[0], conv_step.rows[-1], conv_step.cols[-1]
                for r in conv_step.rows:
                    for c in conv_step.cols:
                        x, y, w, h = box.cell_rect(r, c)
                        draw.rectangle([x, y, x + w, y + h], outline=HIGHLIGHT, width=2 if box.cell >= 10 else 1)
                x0, y0, _w0, _h0 = box.cell_rect(r0, c0)
                x1, y1, w, h = box.cell_rect(r1, c1)
                draw.rectangle([x0 - 1, y0 - 1, x1 + w + 1, y1 + h + 1], outline=(40, 40, 40), width=1)
        elif box.kind == "kernel":
            vals = t.weight[conv_step.out_channel, box.index]
            kv = float(max(np.abs(t.weight).max(initial=0.0), 1e-9))
            _grid(img, draw, box, value_colours(vals, kv), vals, None, None, num(box.cell) or 9)
        elif box.kind == "products":
            vals = conv_step.products[box.index]
            pv = float(max(np.abs(conv_step.products).max(initial=0.0), 1e-9))
            _grid(img, draw, box, value_colours(vals, pv), vals, None, None, num(box.cell) or 9)
        elif box.kind == "output":
            vals = out[box.index]
            _grid(img, draw, box, value_colours(vals, ovmax), vals if fs else None, out_mask[box.index], None, fs or 0)
            if is_pool and box.index == step.channel:
                for r in step.rows:
                    for c in step.cols:
                        rr, cc = r - anim.pool.padding, c - anim.pool.padding  # type: ignore[union-attr]
                        if 0 <= rr < ho and 0 <= cc < wo:
                            x, y, w, h = box.cell_rect(rr, cc)
                            draw.rectangle([x, y, x + w, y + h], outline=HIGHLIGHT, width=2)
            elif not is_pool and box.index == step.out_channel:
                x, y, w, h = box.cell_rect(step.row, step.col)
                draw.rectangle([x - 1, y - 1, x + w + 1, y + h + 1], outline=HIGHLIGHT, width=3)
        elif box.kind == "pooled":
            pt = anim.pool
            pr, pc = pt.out_size  # type: ignore[union-attr]
            vals = pt.results.reshape(-1, pr, pc)[box.index]  # type: ignore[union-attr]
            pmask = (np.arange(t.out_channels * pr * pc) < anim.pool_filled(k)).reshape(-1, pr, pc)[box.index]
            _grid(img, draw, box, value_colours(vals, ovmax), vals if fs else None, pmask, None, fs or 0)
            if is_pool and box.index == step.channel:
                x, y, w, h = box.cell_rect(step.row, step.col)
                draw.rectangle([x - 1, y - 1, x + w + 1, y + h + 1], outline=HIGHLIGHT, width=3)
    if not is_pool:
        for ch, (sx, sy) in zip(lay.sum_channels, lay.sums):
            draw.text((sx, sy), f"Σ = {fmt(float(conv_step.channel_sums[ch]))}", fill=_INK, font=_font(label_size), anchor="lm")
    caption = step_caption(anim, k)
    draw.text(lay.title, caption, fill=_INK, font=_font_for(caption, int(lay.label_h * 0.8)))
    return np.asarray(img)
