"""Benchmark: sliding windows cropped vs convolutional, and grid-detector inference speed.

Run: OMP_NUM_THREADS=1 python tests/bench/bench_yolo.py [model.pt]
Prints the speed ratio of the convolutional sliding window over cropping each
window (one pass per window, and all crops as one batch) for 16x16, 28x28 and
a 64x64 scene, and, given a checkpoint, milliseconds per 640x480 frame.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import torch  # noqa: E402

from engine.yolo.sliding import WindowClassifier, compare, demo_scene  # noqa: E402


def main() -> None:
    torch.manual_seed(0)
    net = WindowClassifier().eval()
    for size in (16, 28, 64):
        c = compare(net, demo_scene(3, size), repeats=5)
        rows, cols = c.convolutional.shape[:2]
        print(
            f"sliding {size}x{size} -> {rows}x{cols}x4: max diff {c.max_diff:.1e}; "
            f"conv {c.seconds_conv * 1e3:.2f} ms; cropped {c.seconds_cropped * 1e3:.1f} ms ({c.speedup:.1f}x); "
            f"batched crops {c.seconds_batched * 1e3:.1f} ms ({c.speedup_batched:.1f}x)"
        )
    if len(sys.argv) > 1:
        from engine.scenes import DemoScene
        from engine.yolo.predict import load_grid_model

        model = load_grid_model(sys.argv[1])
        frames = [f.image for f in DemoScene(seed=0).frames(30)]
        model.predict(frames[0])
        t = time.perf_counter()
        for f in frames:
            model.predict(f)
        print(f"grid detector on 640x480 frames: {(time.perf_counter() - t) / len(frames) * 1e3:.1f} ms per frame")


if __name__ == "__main__":
    main()
