"""``convstudio conv``: convolution arithmetic, animation export and photo filtering from the shell."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import _, join_list

__all__ = ["register", "MAX_ARITH", "MAX_EXPORT_SIDE", "MAX_EXPORT_FRAMES", "FPS_RANGE", "MAX_FILTER_PADDING"]

#: conv size answers by arithmetic alone; beyond this the numbers stop meaning anything.
MAX_ARITH = 10**18
#: conv export draws every padded input cell in every frame: n + 2p cells a side at most.
MAX_EXPORT_SIDE = 64
#: conv export keeps a GIF's frames in memory until it writes them.
MAX_EXPORT_FRAMES = 5000
#: GIF frame delays are whole hundredths of a second from 20 ms; players pace video up to 60 fps.
FPS_RANGE = (0.1, 60.0)
#: conv filter pads the photo itself: more than this adds only border, at a cost of memory.
MAX_FILTER_PADDING = 1024


def _at_most(name: str, value: int, limit: int, why: str) -> None:
    """``ValueError`` (one line, naming the limit and why) when ``value`` exceeds ``limit``."""
    if value > limit:
        raise ValueError(_("{name} must be at most {limit:,} ({why}), got {value:,}").format(name=name, limit=limit, why=why, value=value))


def _layer_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", "--kernel-size", type=int, default=3, help=_("kernel size f (default 3)"))
    p.add_argument("-p", "--padding", default="0", help=_("padding p, 'valid' or 'same' (default 0)"))
    p.add_argument("-s", "--stride", type=int, default=1, help=_("stride s (default 1)"))
    p.add_argument("-d", "--dilation", type=int, default=1, help=_("dilation d (default 1)"))
    p.add_argument("--mode", default="zeros", help=_("padding mode: zeros, reflect, replicate, circular"))
    p.add_argument("--kernel", default="vertical edge",
                   help=_("kernel preset (e.g. 'sobel x', 'gaussian', 'red vertical edge' for RGB; see conv presets)"))
    p.add_argument("--pool", choices=("none", "max", "avg", "global"), default="none", help=_("pooling after the convolution"))
    p.add_argument("--pool-size", type=int, default=2)
    p.add_argument("--pool-stride", type=int, default=None, help=_("default: the pool size"))


def _padding(args: argparse.Namespace, f: int) -> int:
    from ..conv import resolve_padding

    value = args.padding
    return resolve_padding(int(value) if value.lstrip("-").isdigit() else value, f, args.dilation)


def _pool(args: argparse.Namespace):
    from ..conv import PoolSpec

    if args.pool == "none":
        return None
    return PoolSpec(args.pool, args.pool_size, args.pool_stride or args.pool_size, 0)


def _size(args: argparse.Namespace) -> int:
    from ..cli import print_json, shape_order
    from ..conv import RGB_FILTER_PRESETS, check_padding_mode, check_pool, compare_params, kernel_preset, output_size
    from ..conv.arith import coverage_extremes
    from ..shapes import format_shape, order_label

    why = _("sizes this large have no meaning")
    for name, value in (("n", args.n), ("--stride", args.stride), ("--dilation", args.dilation),
                        ("--c-in", args.c_in), ("--c-out", args.c_out)):
        _at_most(name, value, MAX_ARITH, why)
    p = _padding(args, args.kernel_size)
    _at_most("--padding", p, MAX_ARITH, why)
    n, f, s, d = args.n, args.kernel_size, args.stride, args.dilation
    # an unknown or ill-fitting preset is refused here as in 'export' and 'filter'; f is then 1..7,
    # so every count below is a handful of integer operations
    kernel_preset("vertical edge" if args.kernel in RGB_FILTER_PRESETS else args.kernel, f)
    o = output_size(n, f, p, s, d)
    if args.c_in < 1:
        raise ValueError(_("input channels --c-in must be at least 1, got {value}").format(value=args.c_in))
    if args.c_out < 1:
        raise ValueError(_("number of filters --c-out must be at least 1, got {value}").format(value=args.c_out))
    check_padding_mode(args.mode, n, p)
    spec = _pool(args)
    pooled = check_pool(spec.kind, spec.size, spec.stride, spec.padding, o, o)[0] if spec else None
    cmp = compare_params(n, args.c_in, f, args.c_out, p, s, d)
    cov_min, cov_max = coverage_extremes(n, f, p, s, d)  # closed form: the n×n map is never built
    result = {
        "n": n, "f": f, "p": p, "s": s, "d": d, "output": o,
        "formula": f"floor(({n} + 2*{p} - {d}*({f}-1) - 1)/{s}) + 1 = {o}",
        "conv_params": cmp.conv_total, "dense_weights": cmp.dense_weights, "dense_biases": cmp.dense_biases,
        "coverage_min": cov_min ** 2, "coverage_max": cov_max ** 2,
        "input_shape": [args.c_in, n, n], "output_shape": [args.c_out, o, o], "shape_order": "chw",
    }
    if spec:
        result.update(pool=spec.kind, pool_size=spec.size, pool_stride=spec.stride, pooled=pooled)
    if args.json:
        print_json(result)
    else:
        print(f"o = ⌊(n + 2p − d(f−1) − 1)/s⌋ + 1 = ⌊({n} + 2·{p} − {d}·({f}−1) − 1)/{s}⌋ + 1 = {o}")
        order = shape_order(args)
        print(_("{src} → {dst} ({order}): conv {conv} parameters; fully connected {weights} weights + {biases} biases ({ratio}×)").format(
            src=format_shape((args.c_in, n, n), order, label=False), dst=format_shape((args.c_out, o, o), order, label=False),
            order=order_label(order), conv=f"{cmp.conv_total:,}", weights=f"{cmp.dense_weights:,}",
            biases=f"{cmp.dense_biases:,}", ratio=f"{cmp.ratio:,.0f}"))
        print(_("each input pixel is used by {low} to {high} windows").format(low=result["coverage_min"], high=result["coverage_max"]))
        if spec:
            if spec.kind == "global":
                window = _("global average pooling")
            else:
                window = (_("max pooling {size}×{size}/{stride}") if spec.kind == "max" else
                          _("average pooling {size}×{size}/{stride}")).format(size=spec.size, stride=spec.stride)
            print(_("{window}: {o}×{o} → {pooled}×{pooled}").format(window=window, o=o, pooled=pooled))
    return 0


def _export(args: argparse.Namespace) -> int:
    import numpy as np

    from ..cli import print_json, progress_printer
    from ..conv import Animation, filter_preset, input_preset, pool_trace, trace
    from ..conv.export import export_job
    from ..jobs import run_job

    f = args.kernel_size
    _check_export(args, _padding(args, f))
    from ..files import check_target

    check_target(args.out)  # every frame is drawn before the file is written: fail first, not last
    x = input_preset(args.input, args.n, args.channels, np.random.default_rng(args.seed))
    w = filter_preset(args.kernel, f, args.channels)[None]
    t = trace(x, w, None, args.stride, _padding(args, f), args.dilation, args.mode)
    spec = _pool(args)
    anim = Animation(t, pool_trace(t.output, spec.kind, spec.size, spec.stride, spec.padding) if spec else None)
    outcome = run_job(export_job(anim, Path(args.out), fps=args.fps, cell=args.cell, max_frames=args.max_frames), progress_printer(not args.json))
    r = outcome.result
    if args.json:
        print_json({"path": str(r.path), "frames": r.frames, "width": r.width, "height": r.height, "fps": r.fps})
    else:
        print(_("wrote {frames} frames ({width}×{height}, {fps} fps) to {path}").format(
            frames=r.frames, width=r.width, height=r.height, fps=f"{r.fps:g}", path=r.path))
    return 0


def _check_export(args: argparse.Namespace, p: int) -> None:
    """Refuse export settings that would take hours or all the memory, in one line."""
    _at_most("--n", args.n, MAX_EXPORT_SIDE, _("every cell is drawn in every frame"))
    side = args.n + 2 * max(p, 0)
    if side > MAX_EXPORT_SIDE:
        raise ValueError(_("the padded input n + 2p must be at most {limit} (every cell is drawn in every frame), got {value:,}").format(
            limit=MAX_EXPORT_SIDE, value=side))
    _at_most("--max-frames", args.max_frames, MAX_EXPORT_FRAMES, _("the frames are kept in memory until written"))
    low, high = FPS_RANGE
    if not low <= args.fps <= high:  # also refuses nan and inf
        raise ValueError(_("--fps must be between {low:g} and {high:g}, got {fps:g}").format(low=low, high=high, fps=args.fps))


def _filter(args: argparse.Namespace) -> int:
    import numpy as np

    from ..cli import print_json
    from ..conv import RGB_FILTER_PRESETS, apply_filters, filter_preset
    from ..io import load_image, save_image

    f = args.kernel_size
    p = _padding(args, f)
    _at_most("--padding", p, MAX_FILTER_PADDING, _("more only adds border to the photo"))
    rgb = load_image(args.image)
    rgb_filter = args.rgb or args.kernel in RGB_FILTER_PRESETS  # a colour filter reads the colours, not the luminance
    w = filter_preset(args.kernel, f, 3 if rgb_filter else 1)[None]
    fm = apply_filters(rgb, w, None, args.stride, p, args.dilation, args.mode, _pool(args))
    m = fm.pooled[0] if fm.pooled is not None else fm.maps[0]
    lo, hi = float(m.min()), float(m.max())
    img = ((m - lo) / (hi - lo if hi > lo else 1.0) * 255).round().astype(np.uint8)
    save_image(args.out, np.repeat(img[:, :, None], 3, axis=2), {"kernel": args.kernel, "range": f"{lo:g}..{hi:g}"})
    result = {"out": str(args.out), "shape": list(m.shape), "min": lo, "max": hi, "ms": round(fm.seconds * 1000, 2), "device": fm.device}
    if args.json:
        print_json(result)
    else:
        print(_("{kernel} on {image}: {width}×{height} map, values {low}..{high}, {ms} ms on {device}; "
                "written to {out} (scaled to 0..255)").format(
            kernel=args.kernel, image=Path(args.image).name, width=m.shape[1], height=m.shape[0], low=f"{lo:.3g}",
            high=f"{hi:.3g}", ms=f"{fm.seconds * 1000:.1f}", device=fm.device, out=args.out))
    return 0


def _presets(args: argparse.Namespace) -> int:
    from ..cli import print_json
    from ..conv import INPUT_PRESETS, KERNEL_PRESETS, PADDING_MODES, RGB_FILTER_PRESETS

    data = {"kernels": list(KERNEL_PRESETS) + list(RGB_FILTER_PRESETS), "inputs": list(INPUT_PRESETS), "padding_modes": list(PADDING_MODES)}
    if args.json:
        print_json(data)
    else:
        labels = {"kernels": _("kernels: {names}"), "inputs": _("inputs: {names}"), "padding_modes": _("padding modes: {names}")}
        for key, values in data.items():
            print(labels[key].format(names=join_list(values)))
    return 0


def _guard(func):
    def run(args: argparse.Namespace) -> int:
        from ..cli import say_error

        try:
            return func(args)
        except ValueError as exc:  # bad settings or files: say why, no traceback
            say_error(exc)
            return 2
        except BrokenPipeError:  # the reader of stdout went away (| head): the command line ends quietly
            raise
        except OSError as exc:  # the output cannot be written (missing folder, no permission, disk full)
            from ..files import describe_os_error, is_disk_full

            say_error(describe_os_error(exc, getattr(args, "out", None)))
            return 1 if is_disk_full(exc) else 2  # a full disk is no fault of the arguments

    return run


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `conv` subcommand(s) to the command line."""
    p = sub.add_parser("conv", help=_("convolution lab: output size, animation export, filter a photo"))
    conv_sub = p.add_subparsers(dest="conv_command", required=True)

    q = conv_sub.add_parser("size", help=_("output size, parameter counts and coverage of a conv layer"))
    q.add_argument("n", type=int, help=_("input size n (n×n)"))
    _layer_args(q)
    q.add_argument("--c-in", type=int, default=3)
    q.add_argument("--c-out", type=int, default=1)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_guard(_size))

    q = conv_sub.add_parser("export", help=_("write the step-by-step animation as .gif or .mp4"))
    q.add_argument("out", help=_("output file, .gif or .mp4"))
    q.add_argument("--n", type=int, default=6, help=_("input size (default 6)"))
    q.add_argument("--input", default="vertical edge 6×6", help=_("input preset (see conv presets)"))
    q.add_argument("--channels", type=int, choices=(1, 3), default=1)
    q.add_argument("--seed", type=int, default=0, help=_("seed of the random input"))
    q.add_argument("--fps", type=float, default=4.0)
    q.add_argument("--cell", type=int, default=26, help=_("cell size in pixels"))
    q.add_argument("--max-frames", type=int, default=600)
    _layer_args(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_guard(_export))

    q = conv_sub.add_parser("filter", help=_("apply a kernel preset to a photo and save the feature map"))
    q.add_argument("image")
    q.add_argument("out", help=_("PNG of the feature map (or pooled map), scaled to 0..255"))
    q.add_argument("--rgb", action="store_true", help=_("three-channel filter on RGB (default: luminance)"))
    _layer_args(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_guard(_filter))

    q = conv_sub.add_parser("presets", help=_("list kernel and input presets and padding modes"))
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_guard(_presets))
