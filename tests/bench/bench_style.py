"""Style transfer benchmark: prints figures and ratios (not a test).

1. Gatys per-step time against a bare VGG-19 forward+backward at the same
   size on the same device (the overhead of the loop: losses, Gram matrices,
   optimiser, bookkeeping). Timing does not depend on the weights' values, so
   VGG-19's architecture with untrained weights is used when the ImageNet
   weights are not installed.
2. Peak resident memory of a 1024×1024 run on CPU (a child process; ``ru_maxrss``),
   next to the estimate the memory guard uses.
3. Fast style network frames per second at 1920×1080 on the device
   (channels-last and float16 autocast on CUDA).
4. On CUDA: wall time of 512×512, 300 L-BFGS steps.

    OMP_NUM_THREADS=1 python tests/bench/bench_style.py [--device cuda] [--size 256] [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.device import autocast, device_label, resolve_device  # noqa: E402
from engine.jobs import run_job  # noqa: E402
from engine.samples import sample_image  # noqa: E402
from engine.style import FastStylizer, StyleParams, TransformerNet, estimate_bytes, style_sample, stylize, vgg19_backbone  # noqa: E402


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def vgg_backbone(device: torch.device):
    """VGG-19 with ImageNet weights when installed, else the same architecture untrained (same cost)."""
    try:
        return vgg19_backbone(device), "vgg19 (ImageNet weights)"
    except Exception:
        import torchvision

        return vgg19_backbone(device, model=torchvision.models.vgg19(weights=None).eval()), "vgg19 architecture, untrained weights"


def bare_step_seconds(bb, device: torch.device, size: int, layer: str, reps: int) -> float:
    x = torch.rand(1, 3, size, size, device=device, requires_grad=True)
    times = []
    for i in range(reps + 2):
        _sync(device)
        t = time.perf_counter()
        with autocast(device):
            y = bb.run_until(x, layer)
        y.float().sum().backward()
        x.grad = None
        _sync(device)
        if i >= 2:
            times.append(time.perf_counter() - t)
    return float(np.median(times))


def gatys_step_seconds(bb, device: torch.device, size: int, steps: int, optimizer: str = "lbfgs") -> tuple[float, float]:
    content = sample_image("astronaut")
    style = style_sample("mosaic")
    params = StyleParams(size=size, steps=steps, report_every=steps, backbone=bb.name, multiscale=False, optimizer=optimizer)
    result = run_job(stylize(content, style, params, backbone=bb, device=device)).result
    stamps = [r.seconds for r in result.losses]
    per_step = (stamps[-1] - stamps[2]) / (len(stamps) - 3)
    return per_step, result.seconds


def memory_1024_cpu(steps: int) -> dict:
    code = f"""
import sys, json, resource, torch, torchvision
sys.path.insert(0, {str(ROOT)!r})
from engine.jobs import run_job
from engine.samples import sample_image
from engine.style import StyleParams, style_sample, stylize, vgg19_backbone
bb = vgg19_backbone('cpu', model=torchvision.models.vgg19(weights=None).eval())
img = sample_image('astronaut')  # 512x512, run at 1024x1024 (coarse-to-fine 512 -> 1024)
p = StyleParams(size=1024, steps={steps}, report_every={steps}, backbone='vgg19')
r = run_job(stylize(img, style_sample('mosaic'), p, backbone=bb, device='cpu')).result
print(json.dumps({{'shape': list(r.image.shape), 'seconds': r.seconds,
                   'maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    if out.returncode != 0:
        return {"error": out.stderr[-800:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fast_fps(device: torch.device, frames: int) -> dict:
    torch.manual_seed(0)
    stylizer = FastStylizer(TransformerNet(), device)
    x = torch.rand(1, 3, 1080, 1920, device=device) * 255
    for _ in range(3):
        stylizer.tensor(x)
    _sync(device)
    t = time.perf_counter()
    for _ in range(frames):
        stylizer.tensor(x)
    _sync(device)
    net_fps = frames / (time.perf_counter() - t)
    rgb = (np.random.default_rng(0).random((1080, 1920, 3)) * 255).astype(np.uint8)
    stylizer(rgb)
    t = time.perf_counter()
    n = max(2, frames // 2)
    for _ in range(n):
        stylizer(rgb, 0.8)
    e2e_fps = n / (time.perf_counter() - t)
    return {"network_fps": net_fps, "end_to_end_fps": e2e_fps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--size", type=int, default=0, help="size of the per-step comparison (default 256 on CPU, 512 on CUDA)")
    ap.add_argument("--steps", type=int, default=0, help="Gatys steps timed (default 12 on CPU, 60 on CUDA)")
    ap.add_argument("--memory-steps", type=int, default=2)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-fast", action="store_true")
    args = ap.parse_args()
    device = resolve_device(args.device)
    cuda = device.type == "cuda"
    size = args.size or (512 if cuda else 256)
    steps = args.steps or (60 if cuda else 12)
    if cuda:
        torch.backends.cudnn.benchmark = True
    print(f"device: {device_label(device)}; torch {torch.__version__}; threads {torch.get_num_threads()}")

    bb, bb_label = vgg_backbone(device)
    deepest = "conv5_1"  # the deepest layer the default costs read (style conv1_1..conv5_1, content conv4_2)
    bare = bare_step_seconds(bb, device, size, deepest, reps=max(5, steps // 4))
    for optimizer in ("lbfgs", "adam"):
        per_step, _ = gatys_step_seconds(bb, device, size, steps, optimizer)
        print(f"[1] {size}x{size} on {bb_label}: bare forward+backward to {deepest} {bare * 1000:.1f} ms; "
              f"Gatys {optimizer} step {per_step * 1000:.1f} ms; overhead {100 * (per_step / bare - 1):+.1f}% (target <= +10%)")

    if cuda:
        _, total = gatys_step_seconds(bb, device, 512, 300)
        print(f"[4] 512x512, 300 L-BFGS steps: {total:.2f} s wall (target < 15 s)")

    if not args.skip_memory:
        est = estimate_bytes(1024, 1024, StyleParams().layers(), backbone="vgg19", history_size=StyleParams().history_size)
        mem = memory_1024_cpu(args.memory_steps)
        if "error" in mem:
            print(f"[2] 1024x1024 CPU run failed: {mem['error']}")
        else:
            print(f"[2] 1024x1024 on CPU (VGG-19, coarse-to-fine 512->1024, {args.memory_steps} steps at 1024): "
                  f"peak RSS {mem['maxrss_mb']:.0f} MB (estimate {est / 2**20:.0f} MB; budget 8192 MB), {mem['seconds']:.1f} s")

    if not args.skip_fast:
        fps = fast_fps(device, 20 if cuda else 3)
        print(f"[3] fast style network at 1920x1080 on {device_label(device)}: {fps['network_fps']:.1f} FPS network-only, "
              f"{fps['end_to_end_fps']:.1f} FPS including upload/download and blending (target >= 30 on a GPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
