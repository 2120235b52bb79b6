"""Training the grid detector on synthetic scenes, as a cancellable job.

:func:`train_job` generates seeded training and held-out scenes, fits the
anchors with k-means (1 - IoU), encodes the targets, trains
:class:`~engine.yolo.model.GridNet` with Adam for a wall-clock budget, then
evaluates mAP@0.5 and mAP@[.5:.95] on the held-out scenes and writes the
checkpoint (metrics in its metadata) to ``engine.paths.trained_dir()`` and,
if given, to an extra output path.

The loss has three terms, reported separately as curves:
objectness (binary cross-entropy on p_c, every slot; empty slots weighted
``noobj_weight``), box (squared error on the sigmoid offsets b_x, b_y and on
the log size ratios to the anchor, assigned slots only) and class
(cross-entropy, assigned slots only).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..i18n import _
from ..jobs import Job, Progress
from ..scenes import CLASS_NAMES, Scene, make_scene
from .anchors import kmeans_anchors
from .grid import GridSpec, encode_targets
from .metrics import ImageDetections, MapResult, evaluate_map
from .model import STRIDE, GridNet
from .predict import GridModel, save_checkpoint

__all__ = [
    "TrainConfig",
    "LossCurves",
    "TrainResult",
    "default_checkpoint_path",
    "scene_set",
    "fit_anchors",
    "encode_scenes",
    "grid_loss",
    "evaluate",
    "train_job",
]

#: Held-out scenes use seeds far from the training seeds.
VALIDATION_SEED_OFFSET = 1_000_003


def default_checkpoint_path() -> Path:
    """Where the app keeps the grid detector it trained last."""
    from ..paths import trained_dir

    return trained_dir() / "yolo_grid.pt"


@dataclass
class TrainConfig:
    """Settings of one training run.

    grid: S; anchors: B; minutes: wall-clock budget for the whole job
    (scene generation, training and evaluation); max_steps: stop earlier after
    this many steps (None: only the clock); train_scenes / val_scenes: how many
    scenes to generate; width: first-stage channels of the network.
    """

    grid: int = 7
    anchors: int = 2
    minutes: float = 5.0
    seed: int = 0
    train_scenes: int = 1200
    val_scenes: int = 200
    batch_size: int = 16
    lr: float = 3e-3
    width: int = 8
    max_steps: int | None = None
    noobj_weight: float = 0.5
    box_weight: float = 5.0
    class_weight: float = 2.0
    checkpoint_every_s: float = 60.0

    @property
    def input_size(self) -> int:
        return self.grid * STRIDE


@dataclass
class LossCurves:
    """Per-term training loss, one point per reported step (lists of equal length)."""

    step: list[int] = field(default_factory=list)
    objectness: list[float] = field(default_factory=list)
    box: list[float] = field(default_factory=list)
    cls: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)

    def copy(self) -> "LossCurves":
        return LossCurves(*(list(v) for v in (self.step, self.objectness, self.box, self.cls, self.total)))


@dataclass(frozen=True)
class TrainResult:
    """A finished run: where the checkpoint went, its mAP, time and curves."""

    path: Path
    extra_path: Path | None
    metrics: MapResult
    minutes: float
    steps: int
    anchors: np.ndarray
    curves: LossCurves
    spec: GridSpec


def scene_set(count: int, seed: int, size: int) -> list[Scene]:
    """``count`` square scenes of ``size`` pixels; scene i is seeded by (seed, i)."""
    return [make_scene(np.random.default_rng([seed, i]), size=(size, size)) for i in range(count)]


def fit_anchors(scenes: list[Scene], num_anchors: int, cell: float, seed: int = 0) -> np.ndarray:
    """k-means (1 - IoU) anchors (B, 2) in cell units from the scenes' box shapes."""
    boxes = np.concatenate([s.boxes for s in scenes if len(s)], axis=0)
    shapes = np.stack([boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], axis=1) / cell
    return kmeans_anchors(shapes, num_anchors, seed=seed).anchors


def encode_scenes(scenes: list[Scene], spec: GridSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 3, size, size) uint8 and targets (N, S, S, B, 5+K) float32."""
    images = torch.from_numpy(np.stack([s.image for s in scenes])).permute(0, 3, 1, 2).contiguous()
    targets = torch.from_numpy(np.stack([encode_targets(s.boxes, s.labels, spec).y for s in scenes]))
    return images, targets


def grid_loss(
    raw: torch.Tensor,
    target: torch.Tensor,
    anchors: torch.Tensor,
    noobj_weight: float = 0.5,
    box_weight: float = 5.0,
    class_weight: float = 1.0,
) -> dict[str, torch.Tensor]:
    """The three loss terms (each summed per image, averaged over the batch) and their weighted total.

    raw: (N, S, S, B, 5+K) network output; target: same shape in y form;
    anchors: (B, 2) (width, height) in cell units.
    """
    n = raw.shape[0]
    obj = target[..., 0]
    pos = obj > 0.5
    bce = F.binary_cross_entropy_with_logits(raw[..., 0], obj, reduction="none")
    objectness = (bce[pos].sum() + noobj_weight * bce[~pos].sum()) / n
    if pos.any():
        p_raw, p_t = raw[pos], target[pos]
        a = anchors.to(raw).expand(*pos.shape, 2)[pos]
        xy = ((torch.sigmoid(p_raw[:, 1:3]) - p_t[:, 1:3]) ** 2).sum()
        t_h = torch.log(p_t[:, 3] / a[:, 1])
        t_w = torch.log(p_t[:, 4] / a[:, 0])
        hw = ((p_raw[:, 3] - t_h) ** 2 + (p_raw[:, 4] - t_w) ** 2).sum()
        box = (xy + hw) / n
        cls = F.cross_entropy(p_raw[:, 5:], p_t[:, 5:].argmax(dim=1), reduction="sum") / n
    else:
        box = raw.sum() * 0.0
        cls = raw.sum() * 0.0
    total = objectness + box_weight * box + class_weight * cls
    return {"objectness": objectness, "box": box, "class": cls, "total": total}


def _augment(images: torch.Tensor, targets: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random horizontal flips (targets mirrored), colour-channel shuffles, brightness/contrast."""
    x = images.float() / 255.0
    y = targets.clone()
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    if flip.any():
        x[flip] = x[flip].flip(-1)
        yf = y[flip].flip(2)
        has = yf[..., 0] > 0.5
        yf[..., 1] = torch.where(has, 1.0 - yf[..., 1], yf[..., 1])
        y[flip] = yf
    perms = torch.stack([torch.randperm(3, generator=gen) for _row in range(n)])
    x = torch.gather(x, 1, perms.view(n, 3, 1, 1).expand_as(x))
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    contrast = 0.75 + 0.5 * torch.rand(n, 1, 1, 1, generator=gen)
    bright = (torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.2
    x = ((x - mean) * contrast + mean + bright).clamp(0, 1)
    return x, y


def evaluate(model: GridModel, scenes: list[Scene], score_threshold: float = 0.001, iou_threshold: float = 0.5) -> MapResult:
    """mAP of ``model`` on ``scenes`` (boxes compared in the scenes' own pixels)."""
    preds, gts = [], []
    for start in range(0, len(scenes), 64):
        chunk = scenes[start : start + 64]
        same_size = all(s.size == (model.spec.input_size,) * 2 for s in chunk)
        if same_size:
            batch = torch.from_numpy(np.stack([s.image for s in chunk])).permute(0, 3, 1, 2)
            grids = model.grids(batch).cpu()
            results = [model.decode(g, s.size, 1.0, (0.0, 0.0), score_threshold, iou_threshold) for g, s in zip(grids, chunk)]
        else:
            results = [model.predict(s.image, score_threshold, iou_threshold) for s in chunk]
        for r, s in zip(results, chunk):
            preds.append(ImageDetections(r.boxes, r.labels, r.scores))
            gts.append(ImageDetections(s.boxes, s.labels))
    return evaluate_map(preds, gts)


def train_job(config: TrainConfig, output: str | Path | None = None, save: bool = True) -> Job[TrainResult]:
    """Job: train, evaluate and save a grid detector.

    Yields Progress with ``partial`` = a :class:`LossCurves` snapshot during
    training. Closing the job stops it; the last periodic checkpoint (written
    every ``checkpoint_every_s`` next to the final one, ``*.partial.pt``)
    stays on disk. Returns a :class:`TrainResult`.
    """
    if config.grid < 2 or config.anchors < 1 or config.minutes <= 0:
        raise ValueError(_("grid must be >= 2, anchors >= 1 and minutes > 0"))
    if config.train_scenes < 1 or config.val_scenes < 1 or (config.max_steps is not None and config.max_steps < 1):
        raise ValueError(_("train_scenes, val_scenes and max_steps must be >= 1"))
    if output is not None and Path(output).is_dir():
        raise ValueError(_("{path} is a folder, not a checkpoint file name").format(path=output))
    t0 = time.perf_counter()
    budget = config.minutes * 60.0
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    size = config.input_size
    yield Progress(0.0, _("Generating {n} training scenes…").format(n=config.train_scenes))
    train_scenes: list[Scene] = []
    for i in range(config.train_scenes):
        train_scenes.append(make_scene(np.random.default_rng([config.seed, i]), size=(size, size)))
        if i % 250 == 249:
            yield Progress(0.0, _("Generated {i} of {n} training scenes").format(i=i + 1, n=config.train_scenes))
    val_scenes = scene_set(config.val_scenes, config.seed + VALIDATION_SEED_OFFSET, size)
    cell = size / config.grid
    anchors = fit_anchors(train_scenes, config.anchors, cell, seed=config.seed)
    spec = GridSpec(config.grid, size, tuple(tuple(float(v) for v in a) for a in anchors), CLASS_NAMES)
    images, targets = encode_scenes(train_scenes, spec)
    del train_scenes
    anchor_t = torch.as_tensor(anchors, dtype=torch.float32)
    net = GridNet(config.anchors, len(CLASS_NAMES), config.width)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=5e-4)
    curves = LossCurves()
    final_path = Path(output) if (output and not save) else default_checkpoint_path()
    partial_path = final_path.with_name(final_path.stem + ".partial.pt")
    gen_time = time.perf_counter() - t0
    eval_reserve = 2.0 + 0.02 * config.val_scenes
    deadline = t0 + max(budget - eval_reserve, gen_time + 1.0)
    train_span = max(deadline - (t0 + gen_time), 1e-3)
    step = 0
    last_report = last_ckpt = time.perf_counter()
    acc = {"objectness": 0.0, "box": 0.0, "class": 0.0, "total": 0.0}
    acc_n = 0
    net.train()
    while True:
        now = time.perf_counter()
        frac = min((now - t0 - gen_time) / train_span, 1.0)
        if config.max_steps is not None:
            frac = max(frac, step / config.max_steps)
        if frac >= 1.0 or now >= deadline and config.max_steps is None:
            break
        warm = min(1.0, (step + 1) / 50)
        lr = config.lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(0, images.shape[0], (config.batch_size,), generator=gen)
        x, y = _augment(images[idx], targets[idx], gen)
        terms = grid_loss(net(x), y, anchor_t, config.noobj_weight, config.box_weight, config.class_weight)
        opt.zero_grad(set_to_none=True)
        terms["total"].backward()
        opt.step()
        step += 1
        for k in acc:
            acc[k] += float(terms[k].detach())
        acc_n += 1
        now = time.perf_counter()
        if now - last_report > 0.5 or step == 1:
            curves.step.append(step)
            curves.objectness.append(acc["objectness"] / acc_n)
            curves.box.append(acc["box"] / acc_n)
            curves.cls.append(acc["class"] / acc_n)
            curves.total.append(acc["total"] / acc_n)
            acc = dict.fromkeys(acc, 0.0)
            acc_n = 0
            last_report = now
            yield Progress(
                0.05 + 0.9 * frac,
                _("step {step}: loss {loss:.3f} (obj {obj:.3f}, box {box:.3f}, class {cls:.3f})").format(
                    step=step, loss=curves.total[-1], obj=curves.objectness[-1], box=curves.box[-1], cls=curves.cls[-1]),
                partial=curves.copy(),
            )
        if save and now - last_ckpt > config.checkpoint_every_s:
            save_checkpoint(partial_path, net, spec, {"complete": False, "steps": step, "config": asdict(config)})
            last_ckpt = now
    yield Progress(0.95, _("Evaluating on {n} held-out scenes…").format(n=len(val_scenes)), partial=curves.copy())
    model = GridModel(net.eval(), spec)
    metrics = evaluate(model, val_scenes)
    minutes = (time.perf_counter() - t0) / 60.0
    meta = {
        "complete": True,
        "steps": step,
        "minutes": round(minutes, 3),
        "map50": round(metrics.map50, 4),
        "map50_95": round(metrics.map50_95, 4),
        "per_class_ap50": {CLASS_NAMES[k]: round(v, 4) for k, v in metrics.per_class50.items()},
        "val_scenes": len(val_scenes),
        "val_seed": config.seed + VALIDATION_SEED_OFFSET,
        "threads": torch.get_num_threads(),
        "config": asdict(config),
        "curves": asdict(curves),
    }
    extra = None
    if save:
        save_checkpoint(final_path, net, spec, meta)
        partial_path.unlink(missing_ok=True)
        if output is not None and Path(output).resolve() != final_path.resolve():
            extra = save_checkpoint(output, net, spec, meta)
    elif output is not None:
        extra = save_checkpoint(output, net, spec, meta)
    yield Progress(1.0, _("mAP@0.5 {map50:.3f}, mAP@[.5:.95] {map50_95:.3f} after {minutes:.1f} min").format(
        map50=metrics.map50, map50_95=metrics.map50_95, minutes=minutes), partial=curves.copy())
    return TrainResult(final_path if save else (extra or final_path), extra, metrics, minutes, step, anchors, curves, spec)
