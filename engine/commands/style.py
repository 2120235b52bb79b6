"""``convstudio stylize`` (Gatys optimisation) and ``convstudio style train|apply`` (fast style networks)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

from ..files import describe_os_error
from ..i18n import _

__all__ = ["register"]


def _err(text: str) -> int:
    from ..cli import say_error

    say_error(text, newline=True)
    return 1


def _fail(args: argparse.Namespace, text: str, **extra) -> int:
    """Report an error on stderr, and as a JSON object on stdout with ``--json``."""
    if getattr(args, "json", False):
        from ..cli import print_json

        print_json({"error": text, **extra})
    return _err(text)


def _layer_weights(text: str) -> dict[str, float]:
    """``conv1_1=0.2,conv2_1`` -> {"conv1_1": 0.2, "conv2_1": 1.0}; ``ValueError`` naming the bad part."""
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value) if value.strip() else 1.0
        except ValueError:
            raise ValueError(_("--style-layers: {part} is not LAYER=WEIGHT (e.g. conv1_1=0.2)").format(part=repr(part.strip()))) from None
    return out


def _stylize(args: argparse.Namespace) -> int:
    from ..cli import print_json, progress_printer
    from ..device import get_device
    from ..io import ImageLoadError, save_image
    from ..jobs import run_job
    from ..i18n import _
    from ..style import RANDOM_NOTICE, MemoryRefused, StyleParams, resolve_image, stylize

    try:
        content = resolve_image(args.content)
        style = resolve_image(args.style)
    except (ImageLoadError, ValueError) as exc:
        return _fail(args, str(exc))
    params = StyleParams(
        size=args.size, steps=args.steps, style_strength=args.style_strength, alpha=args.alpha, beta=args.beta, gamma=args.tv,
        optimizer=args.optimizer, init=args.init, preserve_colors=args.preserve_colors or "none", backbone=args.backbone,
        report_every=args.report_every, multiscale=not args.single_scale, seed=args.seed,
    )
    try:
        if args.style_layers:
            params.style_layers = _layer_weights(args.style_layers)
        if args.content_layer:
            params.content_layer = args.content_layer
        params.validate()
    except ValueError as exc:
        return _fail(args, str(exc))
    out = Path(args.output)
    if out.suffix.lower() != ".png":
        return _fail(args, _("the output must be a .png file (it carries the parameters as metadata)"))
    try:  # before the run, so a bad path does not cost the work
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(args, describe_os_error(exc, out))
    printer = progress_printer(not args.json)
    notices: list[str] = []
    latest: list = []  # the newest partial (best image so far), saved if the run is stopped

    def show(p) -> None:
        if p.partial is not None:
            latest[:] = [p.partial]
        if p.partial is None and _(RANDOM_NOTICE) in p.message and p.message not in notices:
            notices.append(p.message)
            if not args.json:
                print("\n" + p.message, file=sys.stderr)
        printer(p)

    t0 = time.perf_counter()
    try:
        outcome = run_job(stylize(content, style, params, device=get_device()), show)
    except MemoryRefused as exc:
        return _fail(args, str(exc), suggested_size=exc.suggested_size)
    except ValueError as exc:
        return _fail(args, str(exc))
    except KeyboardInterrupt:
        return _stylize_stopped(args, out, params, latest[0] if latest else None)
    result = outcome.result
    meta = result.metadata()
    meta["convstudio:content"], meta["convstudio:style"] = args.content, args.style  # as the panel's Save records them
    try:
        save_image(out, result.image, meta)
    except OSError as exc:
        return _fail(args, describe_os_error(exc, out))
    wall = time.perf_counter() - t0
    if args.json:
        print_json({
            "output": str(out), "backbone": result.backbone, "notice": result.notice, "device": result.device,
            "wall_seconds": round(wall, 3), "size": list(result.image.shape[:2]),
            "losses": [asdict(r) for r in result.losses],
        })
    else:
        last = result.losses[-1]
        print("\n" + _("wrote {path} ({width}×{height}, backbone {backbone}, {seconds} s, final loss {loss})").format(
            path=out, width=result.image.shape[1], height=result.image.shape[0], backbone=result.backbone,
            seconds=f"{wall:.1f}", loss=f"{last.total:.4g}"))
    return 0


def _stylize_stopped(args: argparse.Namespace, out: Path, params, partial) -> int:
    """Ctrl+C during ``stylize``: keep the lowest-loss image so far in ``out`` (when there is one)."""
    from ..i18n import _
    from ..io import save_image

    if partial is None:
        return _err(_("stopped before the first step; nothing written"))
    meta = params.to_metadata()
    meta["convstudio:stopped-at-step"] = str(partial.step)
    meta["convstudio:content"], meta["convstudio:style"] = args.content, args.style
    try:
        save_image(out, partial.best, meta)
    except OSError as exc:
        return _err(_("stopped; cannot write {out}: {why}").format(out=out, why=exc.strerror or exc))
    _err(_("stopped at step {step}; the best image so far is in {out}").format(step=partial.step, out=out))
    return 130


def _train(args: argparse.Namespace) -> int:
    from ..cli import print_json, progress_printer
    from ..device import get_device
    from ..io import ImageLoadError
    from ..jobs import run_job
    from ..style import TrainParams, resolve_image, train_style
    from ..weights import WeightsError

    try:
        style = resolve_image(args.style)
    except (ImageLoadError, ValueError) as exc:
        return _fail(args, str(exc))
    params = TrainParams(steps=args.steps, batch_size=args.batch_size, size=args.size, backbone=args.backbone,
                         checkpoint_every=args.checkpoint_every, style_weight=args.style_weight, content_weight=args.content_weight)
    try:
        outcome = run_job(train_style(style, args.images, args.output, params, resume=not args.restart, device=get_device()),
                          progress_printer(not args.json))
    except (ValueError, WeightsError) as exc:
        return _fail(args, str(exc))
    except OSError as exc:
        return _fail(args, describe_os_error(exc))
    except KeyboardInterrupt:  # the job saved its checkpoint while closing
        from ..i18n import _

        ckpt = Path(args.output).with_name(Path(args.output).name + ".ckpt")
        if ckpt.is_file():
            _err(_("training stopped; the checkpoint {ckpt} is kept: run the same command again to resume").format(ckpt=ckpt))
        else:
            _err(_("training stopped before the first step; nothing saved"))
        return 130
    result = outcome.result
    if args.json:
        print_json({"model": str(result.model_path), "checkpoint": str(result.checkpoint_path), "steps": result.steps,
                    "notice": result.notice, "curve": [asdict(p) for p in result.curve]})
    else:
        if result.notice:
            print(result.notice, file=sys.stderr)
        print("\n" + _("wrote {path} after {steps} steps (checkpoint {checkpoint})").format(
            path=result.model_path, steps=result.steps, checkpoint=result.checkpoint_path))
    return 0


def _apply(args: argparse.Namespace) -> int:
    from ..cli import print_json, progress_printer
    from ..device import get_device
    from ..jobs import run_job
    from ..style import FastStylizer, StyleModelError, apply_to_folder, load_transformer

    if not 0.0 <= args.strength <= 1.0:
        return _fail(args, _("--strength must be between 0 (the original) and 1 (fully stylised), not {value}").format(value=f"{args.strength:g}"))
    try:
        net = load_transformer(args.model)
    except StyleModelError as exc:
        return _fail(args, str(exc))
    messages: list[str] = []
    printer = progress_printer(not args.json)

    def show(p) -> None:
        if p.message.startswith(_("skipped: {reason}").split("{")[0]):  # the engine's words, in the current language
            messages.append(p.message)
        printer(p)

    try:
        outcome = run_job(apply_to_folder(FastStylizer(net, get_device()), args.inputs, args.output, args.strength), show)
    except OSError as exc:
        return _fail(args, describe_os_error(exc, exc.filename or args.output))
    written = outcome.result or []
    if not written and not messages:  # only empty folders (or folders of non-images): say so instead of nothing
        return _fail(args, _("no image files in {inputs}").format(inputs=", ".join(args.inputs)))
    if args.json:
        print_json({"written": [str(p) for p in written], "skipped": messages})
    else:
        for m in messages:
            print(m, file=sys.stderr)
        summary = _("wrote {n} image(s) to {folder}").format(n=len(written), folder=args.output)
        if messages:
            summary += _("; skipped {k} file(s) that could not be read").format(k=len(messages))
        print("\n" + summary)
    return 0 if written else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `style` subcommand(s) to the command line."""
    p = sub.add_parser("stylize", help=_("paint a photo in the style of another image (Gatys optimisation)"),
                       description=_("CONTENT and STYLE are image files or sample names such as sample:chelsea, sample:mosaic."))
    p.add_argument("content")
    p.add_argument("style")
    p.add_argument("-o", "--output", required=True, help=_("output PNG (parameters are stored in its metadata)"))
    p.add_argument("--size", type=int, default=512, help=_("long side in pixels (default 512; above 512 runs coarse-to-fine)"))
    p.add_argument("--steps", type=int, default=300, help=_("optimiser steps at the final size (default 300)"))
    p.add_argument("--style-strength", type=float, default=0.5, help=_("0..1, chooses α, β, γ (default 0.5)"))
    p.add_argument("--alpha", type=float, help=_("content weight α (overrides the strength)"))
    p.add_argument("--beta", type=float, help=_("style weight β (overrides the strength)"))
    p.add_argument("--tv", type=float, help=_("total-variation weight γ"))
    p.add_argument("--content-layer", help=_("content layer (default conv4_2)"))
    p.add_argument("--style-layers", help=_("style layers and weights, e.g. conv1_1=0.2,conv2_1=0.2,conv3_1=0.2"))
    p.add_argument("--backbone", choices=("vgg19", "random"), default="vgg19",
                   help=_("vgg19 (download once; the random offline fallback is used when missing) or random"))
    p.add_argument("--optimizer", choices=("lbfgs", "adam"), default="lbfgs")
    p.add_argument("--init", choices=("content", "style", "noise"), default="content")
    p.add_argument("--preserve-colors", nargs="?", const="luminance", choices=("luminance", "luminance-yiq", "histogram"),
                   help=_("keep the photo's colours: luminance (default when given), luminance-yiq or histogram"))
    p.add_argument("--single-scale", action="store_true", help=_("no coarse-to-fine above 512 px"))
    p.add_argument("--report-every", type=int, default=10, help=_("steps between progress reports"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help=_("print the losses per step and the wall time as JSON"))
    p.set_defaults(func=_stylize)

    s = sub.add_parser("style", help=_("fast style networks: train one from a style image, apply one to photos"))
    ssub = s.add_subparsers(dest="style_command", metavar="ACTION", required=True)
    t = ssub.add_parser("train", help=_("train a style network on a folder of photos"))
    t.add_argument("style", help=_("style image file or sample:NAME"))
    t.add_argument("--images", help=_("folder of content photos (default: the bundled samples)"))
    t.add_argument("-o", "--output", required=True, help=_("model file to write (.pth); <output>.ckpt holds the checkpoint"))
    t.add_argument("--steps", type=int, default=2000)
    t.add_argument("--batch-size", type=int, default=4)
    t.add_argument("--size", type=int, default=256, help=_("training crop size"))
    t.add_argument("--content-weight", type=float, default=1e5)
    t.add_argument("--style-weight", type=float, default=1e10)
    t.add_argument("--checkpoint-every", type=int, default=200)
    t.add_argument("--backbone", choices=("vgg19", "random"), default="vgg19")
    t.add_argument("--restart", action="store_true", help=_("ignore an existing checkpoint instead of resuming"))
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=_train)
    a = ssub.add_parser("apply", help=_("apply a style network to images or folders"))
    a.add_argument("model", help=_("a .pth style network (ours or the PyTorch examples' format)"))
    a.add_argument("inputs", nargs="+", metavar="INPUT", help=_("image files or folders"))
    a.add_argument("-o", "--output", required=True, help=_("output folder"))
    a.add_argument("--strength", type=float, default=1.0, help=_("0 = original, 1 = fully stylised"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_apply)
