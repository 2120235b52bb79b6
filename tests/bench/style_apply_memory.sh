#!/usr/bin/env bash
# Peak memory (max RSS) of `style apply` on synthetic 24 MP and 100 MP photos with a random style network.
# Usage: tests/bench/style_apply_memory.sh [WORKDIR] [extra convstudio options, e.g. --device cpu]
set -euo pipefail
work="${1:-$(mktemp -d)}"; shift || true
mkdir -p "$work"
python - "$work" <<'PY'
import sys
import numpy as np
import torch
from PIL import Image
from engine.style import TransformerNet, save_transformer

work = sys.argv[1]
torch.manual_seed(0)
save_transformer(TransformerNet(), f"{work}/net.pth")
rng = np.random.default_rng(0)
for name, (h, w) in {"p24": (4000, 6000), "p100": (10000, 10000)}.items():
    yy, xx = np.mgrid[0:h:8, 0:w:8]
    small = np.stack([(xx * 255 // w), (yy * 255 // h), ((xx + yy) % 256)], -1).astype(np.uint8)
    big = np.asarray(Image.fromarray(small).resize((w, h), Image.BILINEAR))
    Image.fromarray(np.clip(big + rng.integers(0, 24, big.shape, dtype=np.uint8), 0, 255).astype(np.uint8)).save(f"{work}/{name}.jpg", quality=90)
PY
for name in p24 p100; do
  /usr/bin/time -v python -m gui.main "$@" style apply "$work/net.pth" "$work/$name.jpg" -o "$work/out_$name" 2> "$work/time_$name.txt" >/dev/null || true
  echo "$name: $(grep -E 'Maximum resident' "$work/time_$name.txt") ; $(grep -E 'Elapsed' "$work/time_$name.txt")"
done
