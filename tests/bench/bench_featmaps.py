"""Benchmark: LeNet-5 digits training (goal: >= 95% held-out in < 60 s on CPU), the residual
experiment, one feature-map pass and an augmentation grid. Prints wall and CPU seconds.

    OMP_NUM_THREADS=1 python tests/bench/bench_featmaps.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("CONVSTUDIO_HOME", tempfile.mkdtemp(prefix="convstudio-bench-"))


def timed(label: str, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<44} wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    return result, wall


def main() -> None:
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from engine import featmaps
    from engine.augment import AugmentConfig, augment_grid
    from engine.jobs import run_job
    from engine.samples import sample_image
    from engine.train.digits import train_digits
    from engine.train.residual import residual_experiment

    digits, wall = timed("LeNet-5 on digits, 8 epochs", lambda: run_job(train_digits(epochs=8)).result)
    print(f"  held-out accuracy {digits.accuracy * 100:.2f}% (goal >= 95%); time / 60 s goal = {wall / 60:.2f}")
    res, _ = timed("residual experiment, 3 epochs", lambda: run_job(residual_experiment(epochs=3)).result)
    print(f"  final training loss plain {res.plain_final_loss:.3f} / residual {res.residual_final_loss:.3f} "
          f"= {res.plain_final_loss / max(res.residual_final_loss, 1e-9):.1f}x")
    fm = featmaps.load_feature_model("resnet18")
    img = sample_image("chelsea")
    timed("ResNet-18 layer2 maps (one image)", lambda: featmaps.compute_feature_maps(fm, "layer2", img))
    small = img[::2, ::2].copy()
    cfg = AugmentConfig(rotation=True, shear=True, elastic=True, pca=True)
    timed("augmentation grid, 12 samples, all ops", lambda: augment_grid(small, cfg, 12, seed=0))


if __name__ == "__main__":
    main()
