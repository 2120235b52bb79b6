"""Convolution lab timings: trace, animation frame paint, real-image filtering.

    OMP_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen python tests/bench/bench_conv.py [--threads N] [--repeat R]

Prints each figure with its budget and the ratio (time / budget; below 1 meets it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402


def _best(fn, repeat: int) -> tuple[float, float]:
    """(best, median) wall time in seconds of ``fn()`` over ``repeat`` runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def _line(name: str, seconds: tuple[float, float], budget_ms: float | None = None) -> None:
    best, med = seconds[0] * 1000, seconds[1] * 1000
    ratio = f"  budget {budget_ms:g} ms  ratio {best / budget_ms:.2f}" if budget_ms else ""
    print(f"{name:<52} best {best:8.2f} ms  median {med:8.2f} ms{ratio}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from engine import conv

    print(f"torch {torch.__version__}, CPU threads {torch.get_num_threads()}, cuda {'yes: ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no'}")
    rng = np.random.default_rng(0)

    # 1. trace: 32×32×3 input, 4 filters 3×3, padding 1 (computed once per settings change)
    x = rng.integers(0, 10, size=(3, 32, 32)).astype(np.float64)
    w = rng.normal(size=(4, 3, 3, 3))
    b = rng.normal(size=4)
    _line("trace 32×32×3, 4 filters 3×3, p=1", _best(lambda: conv.trace(x, w, b, padding=1), args.repeat * 4), 16.7)
    t = conv.trace(x, w, b, padding=1)
    pool = conv.pool_trace(t.output, "max", 2, 2)
    _line("pool_trace max 2×2 of 4×32×32", _best(lambda: conv.pool_trace(t.output, "max", 2, 2), args.repeat * 4))
    anim = conv.Animation(t, pool)

    # 2. one animation frame painted offscreen into a QImage (60 fps = 16.7 ms)
    try:
        import PySide6.QtGui  # noqa: F401
    except ImportError:
        print("animation frame paint: skipped (PySide6 is not installed here)")
    else:
        _bench_paint(anim, rng, w, args.repeat)
        _line("export frame render (Pillow) 32×32×3", _best(lambda: conv.render_frame(anim, 100, 12), args.repeat))
    _bench_photo(rng, args.repeat)
    sys.stdout.flush()
    return 0


def _bench_paint(anim, rng, w, repeat: int) -> None:
    from PySide6.QtGui import QImage, QPainter

    from engine import conv
    from gui.app import ensure_app
    from gui.widgets.conv_animation import ConvAnimationView

    ensure_app()
    view = ConvAnimationView()
    view.resize(800, 560)
    view.set_animation(anim)
    image = QImage(800, 560, QImage.Format.Format_ARGB32_Premultiplied)
    steps = iter(range(0, len(anim), 37))

    def paint() -> None:
        k = next(steps, None)
        view.set_step(k if k is not None else len(anim) - 1)
        painter = QPainter(image)
        view.paint(painter)
        painter.end()

    _line("animation frame paint 800×560 (32×32×3, 4 filters)", _best(paint, repeat * 20), 1000 / 60)
    small = conv.Animation(conv.trace(rng.integers(0, 10, size=(1, 6, 6)), w[:1, :1], padding=1))
    view.set_animation(small)
    _line("animation frame paint 800×560 (6×6, numbers shown)", _best(paint, repeat * 20), 1000 / 60)
    del view


def _bench_photo(rng, repeat: int) -> None:
    from engine import conv

    args = argparse.Namespace(repeat=repeat)
    # real image 3840×2160 with a 3×3 kernel on the CPU (and CUDA when present)
    photo = rng.integers(0, 256, size=(2160, 3840, 3), dtype=np.uint8)
    w1 = conv.filter_preset("sobel x", 3, 3)[None]
    w4 = np.stack([conv.filter_preset(n, 3, 3) for n in ("sobel x", "sobel y", "sharpen", "gaussian")])
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for dev in devices:
        sync = (lambda: torch.cuda.synchronize()) if dev == "cuda" else (lambda: None)
        _line(f"[{dev}] prepare 3840×2160 photo (uint8 → float, once)", _best(lambda: (conv.prepare_photo(photo, dev), sync()), args.repeat))
        prepared = conv.prepare_photo(photo, dev)
        _line(f"[{dev}] conv 3840×2160, 1 filter 3×3 (RGB)", _best(lambda: (conv.conv_image(prepared, w1, device=dev), sync()), args.repeat), 100)
        _line(f"[{dev}] conv 3840×2160, 4 filters 3×3 (RGB)", _best(lambda: (conv.conv_image(prepared, w4, device=dev), sync()), args.repeat), 100)
        _line(f"[{dev}] photo → 1 feature map, from uint8", _best(lambda: (conv.conv_image(photo, w1, device=dev), sync()), args.repeat), 100)
        _line(
            f"[{dev}] apply_filters 4 maps + max pool + histograms",
            _best(lambda: conv.apply_filters(prepared, w4, pool=conv.PoolSpec("max", 2, 2), device=dev), args.repeat),
        )


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown: Qt and torch objects freed in arbitrary order can abort at exit
