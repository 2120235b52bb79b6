"""Face-model speed: the PyTorch port vs dlib itself, on this machine.

    python tests/bench/bench_face.py [--threads 1] [--seconds 3] [--dlib-bin PATH] [--no-cuda]

Prints descriptor throughput (faces/s) on CPU for several batch sizes and MMOD detection
time on the 512x512 astronaut; with a dlib reference binary (built by
tests/fixtures/face/make_reference/build_and_run.sh into make_reference/build/) it times
dlib on the same inputs and prints the ratios. On CUDA it adds float32/float16 descriptor
throughput, the float16 error, and detection frame rates at 640x480 and 1280x720.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.face import Embedder, MMODFaceDetector, models_dir  # noqa: E402
from engine.io import load_image  # noqa: E402
from engine.samples import sample_image  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "face"
DEFAULT_BIN = FIXTURES / "make_reference" / "build" / "face_reference"


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, seconds: float, device: torch.device) -> tuple[float, int]:
    """(seconds per call, calls) over about ``seconds`` after one warm-up call."""
    fn()
    _sync(device)
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        _sync(device)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / n, n


def bench_descriptors(emb: Embedder, chip: np.ndarray, batches: list[int], seconds: float) -> dict[int, float]:
    out = {}
    for b in batches:
        chips = np.repeat(chip[None], b, axis=0)
        per_call, _ = timed(lambda: emb.embed_chips(chips, batch_size=b), seconds, emb.device)
        out[b] = b / per_call
    return out


def run_dlib(binary: Path, image: np.ndarray, chip: np.ndarray, seconds: float, threads: int) -> dict | None:
    if not binary.is_file():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, arr in (("image", image), ("chip", chip)):
            p = Path(tmp) / f"{name}.ppm"
            h, w = arr.shape[:2]
            p.write_bytes(b"P6\n%d %d\n255\n" % (w, h) + np.ascontiguousarray(arr).tobytes())
            paths.append(str(p))
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        res = subprocess.run([str(binary), "--bench", str(models_dir()), *paths, str(seconds)],
                             capture_output=True, text=True, env=env, check=True)
        return json.loads(res.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for torch and dlib (default 1)")
    ap.add_argument("--seconds", type=float, default=3.0, help="timing window per measurement")
    ap.add_argument("--dlib-bin", type=Path, default=DEFAULT_BIN, help="dlib reference binary")
    ap.add_argument("--no-cuda", action="store_true", help="skip the GPU measurements")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    ref = json.loads((FIXTURES / "reference.json").read_text())
    chip = load_image(FIXTURES / "chips" / "astronaut_face0.png")
    image = sample_image("astronaut")
    cpu = torch.device("cpu")

    print(f"CPU, {args.threads} thread(s), torch {torch.__version__}")
    emb = Embedder(cpu)
    rates = bench_descriptors(emb, chip, [1, 16, 64], args.seconds)
    for b, r in rates.items():
        print(f"  descriptor, batch {b:3d}: {r:8.1f} faces/s")
    det = MMODFaceDetector(cpu)
    det_s, _ = timed(lambda: det.detect(image), args.seconds, cpu)
    print(f"  MMOD detect 512x512: {det_s * 1000:8.1f} ms")

    dlib = run_dlib(args.dlib_bin, image, chip, args.seconds, args.threads)
    if dlib is None:
        dlib = {"descriptor_faces_per_s": ref["descriptor_faces_per_s"],
                "detect_ms": ref["images"]["astronaut"]["detect_ms"]}
        print(f"  dlib {ref['dlib_version']} (figures recorded with the fixtures, 1 thread; "
              f"no binary at {args.dlib_bin}):")
    else:
        print(f"  dlib {ref['dlib_version']} (measured now, {args.threads} thread(s)):")
    print(f"    descriptor, batch  16: {dlib['descriptor_faces_per_s']:8.1f} faces/s  "
          f"-> port/dlib = {rates[16] / dlib['descriptor_faces_per_s']:.1f}x")
    print(f"    MMOD detect 512x512: {dlib['detect_ms']:8.1f} ms   "
          f"-> port/dlib speed = {dlib['detect_ms'] / (det_s * 1000):.1f}x")

    if torch.cuda.is_available() and not args.no_cuda:
        gpu = torch.device("cuda")
        print(f"GPU: {torch.cuda.get_device_name(0)}")
        e32 = Embedder(gpu, precision="fp32")
        e16 = Embedder(gpu, precision="fp16")
        chips = np.repeat(chip[None], 8, axis=0)
        err = float(np.linalg.norm(e32.embed_chips(chips) - e16.embed_chips(chips), axis=1).max())
        auto = Embedder(gpu)
        print(f"  float16 vs float32 descriptor distance: {err:.5f} (auto precision picks "
              f"{'fp16' if auto.half else 'fp32'}, self-check error {auto.fp16_error:.5f})")
        cpu_desc = emb.embed_chips(chip[None])
        print(f"  GPU fp32 vs CPU descriptor distance: {float(np.linalg.norm(e32.embed_chips(chip[None]) - cpu_desc)):.6f}")
        for name, e in (("fp32", e32), ("fp16", e16)):
            for b, r in bench_descriptors(e, chip, [64, 256], args.seconds).items():
                print(f"  descriptor {name}, batch {b:3d}: {r:9.1f} faces/s")
        gdet = MMODFaceDetector(gpu)
        cpu_boxes = [f.box for f in det.detect(image)]
        gpu_boxes = [f.box for f in gdet.detect(image)]
        print(f"  MMOD boxes on GPU equal CPU boxes: {gpu_boxes == cpu_boxes} {gpu_boxes}")
        for w, h in ((512, 512), (640, 480), (1280, 720)):
            frame = cv2.resize(image, (w, h))
            s, _ = timed(lambda: gdet.detect(frame), args.seconds, gpu)
            print(f"  MMOD detect {w}x{h}: {s * 1000:7.2f} ms ({1 / s:6.1f} frames/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
