"""Summary speed: every zoo model summarised on the meta device (what the panel and CLI do)
versus on real CPU tensors, plus the diagram layout. Prints milliseconds and the CPU/meta ratio.

    OMP_NUM_THREADS=1 python tests/bench/bench_arch.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import torch  # noqa: E402

from engine.arch import zoo  # noqa: E402
from engine.arch.diagram import layout  # noqa: E402
from engine.arch.summary import summarize  # noqa: E402


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    torch.set_num_threads(1)
    zoo.build("lenet5", device="meta")  # warm imports
    print(f"{'model':<10} {'meta ms':>9} {'cpu ms':>9} {'cpu/meta':>9} {'layout ms':>10}")
    for name in zoo.names():
        spec = zoo.spec(name)
        meta_model = zoo.build(name, device="meta")
        cpu_model = zoo.build(name, device="meta").to_empty(device="cpu")
        t_meta = _best(lambda: summarize(meta_model, spec.input_shape, training_only=spec.training_only))
        t_cpu = _best(lambda: summarize(cpu_model, spec.input_shape, training_only=spec.training_only), 1)
        s = summarize(meta_model, spec.input_shape, training_only=spec.training_only)
        t_layout = _best(lambda: layout(s))
        print(f"{name:<10} {t_meta * 1e3:9.0f} {t_cpu * 1e3:9.0f} {t_cpu / t_meta:9.1f} {t_layout * 1e3:10.1f}")


if __name__ == "__main__":
    main()
