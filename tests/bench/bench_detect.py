"""Benchmark the detection pipeline on a generated 640×480 video.

Prints per-frame model ms, NMS ms, everything-else ms and dropped frames, and
the ratio of everything-else to the model forward, for
``ssdlite320_mobilenet_v3_large`` on the CPU and, when present, on CUDA with
float16 autocast.

Two runs per device:
  every-frame: the file read frame by frame on the detector's path (capture,
      decode, pre-processing, NMS, drawing and display hand-off all counted);
      "other" = wall time per frame - model forward.
  live: the same video played at its frame rate through the newest-frame-wins
      reader: FPS, dropped frames, latency.

    OMP_NUM_THREADS=1 python tests/bench/bench_detect.py [--frames 120] [--threads 1] [--model NAME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402


def make_video(path: Path, frames: int, size=(480, 640), fps: float = 30.0) -> None:
    """Write a demo-scene clip (moving shapes over a photo) to ``path``."""
    import cv2

    from engine.detect.sources import DemoSource

    src = DemoSource(size=size, fps=None)  # 640x480 regardless of the photo
    src.open()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (size[1], size[0]))
    for _ in range(frames):
        writer.write(cv2.cvtColor(src.read(), cv2.COLOR_RGB2BGR))
    writer.release()


def hand_off():
    """What giving a frame to the display costs (a QImage copy when Qt is installed)."""
    try:
        from gui.qimage import rgb_to_qimage

        return rgb_to_qimage
    except Exception:
        return lambda rgb: np.ascontiguousarray(rgb).copy()


def spread_scores(det, std: float = 0.35) -> None:
    """Give a random-weight SSD head spread-out class scores so that boxes pass the
    threshold and NMS and drawing have work to do (random heads score every class ~1/91)."""
    torch.manual_seed(0)
    with torch.no_grad():
        for p in det.model.head.classification_head.parameters():
            p.normal_(0.0, std)


def run(device: str, model: str, weights: str, video: Path, frames: int, score: float, warmup: int = 5, spread: bool = False) -> None:
    from engine.detect import create_detector
    from engine.detect.pipeline import DetectionPipeline, DetectSettings
    from engine.detect.sources import VideoFileSource
    from engine.device import device_label

    det = create_detector(model, weights=weights, device=device)
    if spread and det.random_weights:
        spread_scores(det)
    show = hand_off()
    settings = DetectSettings(score_threshold=score, iou_threshold=0.5)
    kind = "pretrained" if not det.random_weights else ("RANDOM weights, spread scores" if spread else "RANDOM weights")
    label = f"{model} ({kind}) on {device_label(torch.device(device))}"
    if getattr(det, "half", False):
        label += ", float16 autocast"
    print(f"\n== {label}")

    # every frame, everything on the frame's path
    pipe = DetectionPipeline(VideoFileSource(video), det, settings, every_frame=True)
    model_ms, nms_ms, other_ms, kept, raw = [], [], [], [], []
    t_prev = None
    for i, r in enumerate(pipe.run(max_frames=frames)):
        show(r.annotated)
        now = time.perf_counter()
        if i >= warmup and t_prev is not None:
            wall = (now - t_prev) * 1000.0
            model_ms.append(r.stats.model_ms)
            nms_ms.append(r.stats.nms_ms)
            other_ms.append(wall - r.stats.model_ms)
            kept.append(r.stats.kept_count)
            raw.append(r.stats.raw_count)
        t_prev = now
    m, n, o = statistics.median(model_ms), statistics.median(nms_ms), statistics.median(other_ms)
    print(f"every-frame ({len(model_ms)} frames, medians): model {m:.2f} ms | NMS {n:.3f} ms | "
          f"everything else (capture, decode, pre-processing, NMS, drawing, hand-off) {o:.2f} ms | dropped 0")
    print(f"  other/model ratio: {o / m:.3f}  ({'within' if o / m <= 0.15 else 'ABOVE'} the 15% budget)  "
          f"end-to-end {1000.0 / (m + o):.1f} FPS | boxes raw {statistics.mean(raw):.1f} -> kept {statistics.mean(kept):.1f}")

    # live: newest frame wins while the video plays at its own rate
    pipe = DetectionPipeline(VideoFileSource(video, loop=True), det, settings, every_frame=False)
    lat, t0, count = [], None, 0
    last = None
    for i, r in enumerate(pipe.run(max_frames=frames)):
        show(r.annotated)
        if i == warmup:
            t0, d0 = time.perf_counter(), r.stats.dropped
        if i > warmup:
            lat.append(r.stats.latency_ms)
            count += 1
        last = r
    elapsed = time.perf_counter() - t0
    half = len(lat) // 2
    print(f"live at 30 FPS source: {count / elapsed:.1f} FPS processed | dropped {last.stats.dropped - d0} of "
          f"{last.stats.dropped - d0 + count} | latency median {np.median(lat):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms, "
          f"first half {np.mean(lat[:half]):.1f} ms vs second half {np.mean(lat[half:]):.1f} ms (flat = no build-up)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1") or 1))
    ap.add_argument("--model", default="ssdlite320_mobilenet_v3_large")
    ap.add_argument("--score", type=float, default=0.5)
    ap.add_argument("--weights", choices=("auto", "installed", "random"), default="auto",
                    help="auto: the installed weights when present, else random (same cost per frame)")
    ap.add_argument("--devices", default="auto", help="comma list (cpu,cuda) or auto")
    ap.add_argument("--spread", action="store_true",
                    help="with random weights: spread the class scores so boxes pass the threshold (NMS and drawing get work)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from engine import weights as manager

    weights = args.weights
    if weights == "auto":
        try:
            weights = "installed" if manager.status(args.model) in ("installed", "imported") else "random"
        except KeyError:
            weights = "installed"
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else []) if args.devices == "auto" else args.devices.split(",")
    print(f"torch {torch.__version__}, {args.threads} CPU thread(s), {args.frames} frames of 640x480")
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "bench.mp4"
        make_video(video, min(args.frames, 150))
        for device in devices:
            run(device, args.model, weights, video, args.frames, args.score, spread=args.spread)
    return 0


if __name__ == "__main__":
    sys.exit(main())
