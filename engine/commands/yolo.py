"""``convstudio yolo train|eval``: the grid detector trained on synthetic scenes."""

from __future__ import annotations

import argparse

from ..i18n import _

__all__ = ["register", "MAX_GRID", "MAX_ANCHORS", "MAX_MINUTES", "SCENE_BYTES_BUDGET"]

#: S·16 pixels a side: 40 cells make 640-pixel scenes, the size of a camera frame.
MAX_GRID = 40
MAX_ANCHORS = 9
MAX_MINUTES = 24 * 60.0
#: Generated scenes are held in memory as uint8 RGB images.
SCENE_BYTES_BUDGET = 4 * 2**30


def _too_big(args: argparse.Namespace, grid: int) -> str | None:
    """The first option beyond what one machine can do, as a one-line message (None when all fit)."""
    from ..yolo.model import STRIDE

    if getattr(args, "grid", None) is not None and args.grid > MAX_GRID:
        return _("--grid must be at most {limit} ({px} pixel scenes), got {value:,}").format(
            limit=MAX_GRID, px=MAX_GRID * STRIDE, value=args.grid)
    if getattr(args, "anchors", None) is not None and args.anchors > MAX_ANCHORS:
        return _("--anchors must be at most {limit}, got {value:,}").format(limit=MAX_ANCHORS, value=args.anchors)
    minutes = getattr(args, "minutes", None)
    if minutes is not None and not 0 < minutes <= MAX_MINUTES:
        return _("--minutes must be more than 0 and at most {limit:g} (a day), got {value:g}").format(limit=MAX_MINUTES, value=minutes)
    per_scene = (grid * STRIDE) ** 2 * 3
    scenes = (getattr(args, "scenes", 0) or 0) + (getattr(args, "val_scenes", 0) or 0)
    if scenes * per_scene > SCENE_BYTES_BUDGET:
        return _("{scenes:,} scenes of {px}×{px} pixels need {gib:,.1f} GiB of memory; at most {fit:,} fit in {budget} GiB").format(
            scenes=scenes, px=grid * STRIDE, gib=scenes * per_scene / 2**30, fit=SCENE_BYTES_BUDGET // per_scene,
            budget=SCENE_BYTES_BUDGET // 2**30)
    return None


def _metrics_dict(metrics, class_names) -> dict:
    return {
        "map50": round(metrics.map50, 4),
        "map50_95": round(metrics.map50_95, 4),
        "per_class_ap50": {class_names[k]: round(v, 4) for k, v in metrics.per_class50.items()},
        "images": metrics.num_images,
        "objects": metrics.num_objects,
    }


#: Most CPU threads ``yolo train --threads`` accepts: more than any machine it runs on has, far fewer than
#: the thousands whose stacks exhaust the memory before training starts.
MAX_THREADS = 256


def _bad_number(args: argparse.Namespace, minimums: dict[str, int]) -> str | None:
    """The first option below its minimum, as a one-line message (None when all are fine)."""
    for dest, low in minimums.items():
        value = getattr(args, dest, None)
        if value is not None and value < low:
            return _("{option} must be at least {low}, not {value}").format(option="--" + dest.replace("_", "-"), low=low, value=value)
    return None


def _train(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cli import say_error

    problem = _bad_number(args, {"steps": 1, "scenes": 1, "val_scenes": 1, "threads": 1, "seed": 0, "grid": 2, "anchors": 1})
    if problem is None and args.threads is not None and args.threads > MAX_THREADS:
        problem = _("--threads must be at most {max}, not {n}").format(max=MAX_THREADS, n=args.threads)
    if problem is None:
        problem = _too_big(args, args.grid)
    if problem is None and args.output and Path(args.output).is_dir():
        problem = _("{path} is a folder; give a file name for the checkpoint, e.g. {example}").format(
            path=args.output, example=Path(args.output) / "model.pt")
    if problem:
        say_error(problem)
        return 2
    import torch

    from ..cli import print_json, progress_printer
    from ..jobs import CancelToken, run_job
    from ..yolo.train import TrainConfig, train_job

    if args.threads:
        torch.set_num_threads(args.threads)
    config = TrainConfig(
        grid=args.grid,
        anchors=args.anchors,
        minutes=args.minutes,
        seed=args.seed,
        train_scenes=args.scenes,
        val_scenes=args.val_scenes,
        max_steps=args.steps,
    )
    try:
        outcome = run_job(train_job(config, output=args.output), progress_printer(not args.json), CancelToken())
    except ValueError as exc:
        say_error(exc, newline=True)
        return 1
    except OSError as exc:  # disk full, no permission: one line, the older checkpoint stays
        from ..files import describe_os_error

        say_error(describe_os_error(exc), newline=True)
        return 1
    except KeyboardInterrupt:
        say_error(_("training interrupted; the last periodic checkpoint (if any) is kept"), newline=True)
        return 130
    r = outcome.result
    result = {
        "checkpoint": str(r.path),
        "output": str(r.extra_path or r.path),
        "grid": r.spec.grid,
        "input_size": r.spec.input_size,
        "anchors": [[round(float(v), 3) for v in a] for a in r.anchors],
        "steps": r.steps,
        "minutes": round(r.minutes, 2),
        "threads": torch.get_num_threads(),
        **_metrics_dict(r.metrics, r.spec.class_names),
    }
    if args.json:
        print_json(result)
    else:
        print(_("mAP@0.5 {map50}  mAP@[.5:.95] {map50_95}  ({steps} steps, {minutes} min, {threads} threads)").format(
            map50=f"{result['map50']:.3f}", map50_95=f"{result['map50_95']:.3f}", steps=r.steps,
            minutes=f"{result['minutes']:.2f}", threads=result["threads"]))
        print(_("anchors (w, h in cells): {anchors}").format(anchors=result["anchors"]))
        if r.extra_path:
            print(_("saved {path} and {other}").format(path=result["checkpoint"], other=result["output"]))
        else:
            print(_("saved {path}").format(path=result["checkpoint"]))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from ..cli import print_json, say_error
    from ..weights import WeightsError
    from ..yolo.predict import CheckpointError, load_grid_model
    from ..yolo.train import VALIDATION_SEED_OFFSET, evaluate, scene_set

    problem = _bad_number(args, {"scenes": 1, "seed": 0})
    if problem:
        say_error(problem)
        return 2
    try:
        model = load_grid_model(args.model)
    except (CheckpointError, WeightsError) as exc:
        say_error(exc)
        return 1
    problem = _too_big(args, model.spec.grid)
    if problem:
        say_error(problem)
        return 2
    seed = args.seed if args.seed is not None else int(model.meta.get("val_seed", VALIDATION_SEED_OFFSET))
    scenes = scene_set(args.scenes, seed, model.spec.input_size)
    metrics = evaluate(model, scenes)
    result = {"model": str(args.model), "scene_seed": seed, **_metrics_dict(metrics, model.class_names)}
    if "map50" in model.meta:
        result["trained_map50"] = model.meta["map50"]
        result["trained_minutes"] = model.meta.get("minutes")
    if args.json:
        print_json(result)
    else:
        print(_("mAP@0.5 {map50}  mAP@[.5:.95] {map50_95}  on {scenes} held-out scenes (seed {seed})").format(
            map50=f"{result['map50']:.3f}", map50_95=f"{result['map50_95']:.3f}", scenes=args.scenes, seed=seed))
        for name, ap in result["per_class_ap50"].items():
            print(f"  AP@0.5 {name:<10} {ap:.3f}")
    return 0


def _hook_detect(sub: argparse._SubParsersAction) -> None:
    """Let ``convstudio detect --model yolo:PATH`` find the grid detector (loaded only when detect runs)."""
    parser = sub.choices.get("detect")
    func = parser.get_default("func") if parser is not None else None
    if func is None or getattr(func, "grid_detector_hooked", False):
        return

    def run_detect_with_grid(args: argparse.Namespace) -> int:
        from ..yolo.detector import ensure_registered

        ensure_registered()
        return func(args)

    run_detect_with_grid.grid_detector_hooked = True  # type: ignore[attr-defined]
    parser.set_defaults(func=run_detect_with_grid)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `yolo` subcommand(s) to the command line."""
    _hook_detect(sub)
    p = sub.add_parser("yolo", help=_("train and evaluate the grid (YOLO-style) detector on synthetic scenes"))
    yolo_sub = p.add_subparsers(dest="yolo_command", metavar="ACTION", required=True)
    t = yolo_sub.add_parser("train", help=_("train on synthetic scenes, evaluate, save the checkpoint"))
    t.add_argument("--grid", type=int, default=7, help=_("cells per side S (default 7; 13 for a finer grid)"))
    t.add_argument("--anchors", type=int, default=2, help=_("anchor boxes per cell B (k-means, default 2)"))
    t.add_argument("--minutes", type=float, default=5.0, help=_("wall-clock budget for the whole run (default 5)"))
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--scenes", type=int, default=1200, help=_("training scenes to generate (default 1200)"))
    t.add_argument("--val-scenes", type=int, default=200, help=_("held-out scenes for mAP (default 200)"))
    t.add_argument("--steps", type=int, default=None, help=_("stop after this many steps (default: the clock)"))
    t.add_argument("--threads", type=int, default=None, help=_("CPU threads for torch, 1 to {max} (default: torch's choice)").format(max=MAX_THREADS))
    t.add_argument("-o", "--output", default=None, help=_("also write the checkpoint here"))
    t.add_argument("--json", action="store_true", help=_("print one JSON object"))
    t.set_defaults(func=_train)
    e = yolo_sub.add_parser("eval", help=_("mAP@0.5 and mAP@[.5:.95] of a checkpoint on held-out scenes"))
    e.add_argument("model", help=_("checkpoint written by 'yolo train'"))
    e.add_argument("--scenes", type=int, default=200)
    e.add_argument("--seed", type=int, default=None, help=_("scene seed (default: the checkpoint's held-out seed)"))
    e.add_argument("--json", action="store_true", help=_("print one JSON object"))
    e.set_defaults(func=_eval)
