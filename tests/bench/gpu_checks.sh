#!/usr/bin/env bash
# The CUDA figures in one run: detection FPS (fp16), face descriptors/s, style transfer timings.
# Run from the repository root on a machine with an NVIDIA GPU: bash tests/bench/gpu_checks.sh
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print('GPU:', torch.cuda.get_device_name(0), '| torch', torch.__version__)" || exit 1
status=0
run() { echo; echo "== $*"; timeout 240 "$@" || { echo "(exit $?)"; status=1; }; }
run python3 tests/bench/bench_detect.py --frames 150 --devices cuda --threads 8
run python3 tests/bench/bench_face.py --threads 8 --seconds 2
run python3 tests/bench/bench_face_db.py --device cuda --queries 100
run python3 tests/bench/bench_style.py --device cuda --skip-memory
exit $status
