"""Hostile-input sweep of the ``convstudio`` command line (a script, not a pytest test).

Builds broken images, model files (pickle payloads, and graphs that map a victim file with
``from_file``, run code in ``__setstate__``, call an unknown namespace's operator or hold a custom
class), face databases, absurd arguments, unwritable outputs,
missing cameras, closed pipes, signals and a full disk in a temporary folder, runs
``python -m gui.main ...`` on each in a child process (time bound, 6 GiB address-space cap,
``CONVSTUDIO_HOME`` in the temporary folder) and prints every run that showed a problem:
a Python traceback, a hang, a long error message, a silent failure, a crash by signal,
a pickle payload or model operator that ran, a victim file written, or a partial file left behind.

    python tests/bench/hostile_sweep.py [--jobs 2] [--only WORD] [--keep] [-v] [--list]

Exit status 0 when every run was clean.  Permission cases drop root's DAC override with
``setpriv`` so that ``chmod`` bites; the full-disk cases mount a 256 KiB tmpfs (root only)
and are skipped when that is impossible.  ``--list`` builds the inputs and cases and prints them
without running any.

The parts live in ``tests/bench/sweep/`` (types, inputs, cases, runner); this script puts its own folder on
``sys.path`` so that they import as the package ``sweep`` wherever it is started from.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))  # the sweep's modules live in tests/bench/sweep/

from sweep.cases import RECIPE, Case, Result  # noqa: E402
from sweep.cases_core import build_cases, full_disk_cases  # noqa: E402
from sweep.cases_state import (face_db_damage_cases, folder_run_cases, small_cases,  # noqa: E402
                               small_disk_cases, stored_state_cases)
from sweep.checks import no_new_files  # noqa: E402
from sweep.inputs import build_face_dbs, build_graph_payloads, build_inputs  # noqa: E402
from sweep.runner import run_case  # noqa: E402

__all__ = ["main"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="runs at a time (signals, pipes and disk run alone)")
    ap.add_argument("--only", default="", help="run only cases whose group or name holds this word")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every run")
    ap.add_argument("--list", action="store_true",
                    help="build the inputs and cases, print the count and each case's group and name, run none")
    args = ap.parse_args()

    from engine.arch.user_model import EXPORT_HELP

    RECIPE.update(line.strip() for line in EXPORT_HELP.splitlines())
    tmp = Path(tempfile.mkdtemp(prefix="hostile_"))
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1",
           "CONVSTUDIO_HOME": str(home), "PYTHONPATH": str(ROOT)}
    disk = None
    try:
        p = build_inputs(tmp)
        build_graph_payloads(tmp, p)
        build_face_dbs(tmp, p, env)
        cases = build_cases(tmp, p)
        cases += stored_state_cases(tmp) + folder_run_cases(tmp, p) + small_cases(tmp)
        cases += face_db_damage_cases(tmp, p)
        dcases, disk = full_disk_cases(tmp, p)
        if disk is not None:
            extra = small_disk_cases(disk)
            for c in extra:
                c.setup, c.check = dcases[0].setup, no_new_files(disk, {"filler", "home"})
            dcases += extra
        cases += dcases
        if args.only:
            cases = [c for c in cases if args.only in c.group or args.only in c.name]
        if args.list:
            print(f"{len(cases)} cases")
            for c in cases:
                print(f"{c.group}: {c.name}")
            return 0
        parallel = [c for c in cases if not c.special and c.group != "disk"]
        serial = [c for c in cases if c not in parallel]
        print(f"{len(cases)} runs in {tmp}", flush=True)
        results: list[Result] = []

        def report(r: Result) -> None:
            if args.verbose or r.problems:
                flag = "PROBLEM" if r.problems else "ok"
                print(f"[{flag}] {r.case.group}: {r.case.name}  rc={r.rc} {r.elapsed:.1f}s {'; '.join(r.problems)}",
                      flush=True)

        with ThreadPoolExecutor(max(args.jobs, 1)) as pool:
            for r in pool.map(lambda c: run_case(c, env), parallel):
                results.append(r)
                report(r)
        for c in serial:
            r = run_case(c, env)
            results.append(r)
            report(r)
        marker_hit = p["marker"].exists()
        if marker_hit:
            results.append(Result(Case("model", "pickle payload", []), None, False, 0, 0, False,
                                  ["marker file created: a pickle payload or a model's operator ran"], ""))
    finally:
        if disk is not None:
            subprocess.run(["umount", str(disk)])
        for q in tmp.rglob("*") if not args.keep else []:
            try:
                q.chmod(0o700) if q.is_dir() else None
            except OSError:
                pass
        if not args.keep:
            for q in [tmp / "faces" / "locked", tmp / "readonly_out"]:
                if q.exists():
                    q.chmod(0o700)
            shutil.rmtree(tmp, ignore_errors=True)

    bad = [r for r in results if r.problems]
    if bad:
        print("\nProblems:")
        print(f"{'group':8} {'case':52} {'rc':>5} {'time':>6} {'err':>4}  problem")
        for r in bad:
            print(f"{r.case.group:8} {r.case.name[:52]:52} {str(r.rc):>5} {r.elapsed:6.1f} {r.err_lines:4}  "
                  f"{'; '.join(r.problems)}")
            if r.tail:
                print("         | " + r.tail.replace("\n", "\n         | "))
    runs = len([r for r in results if r.case.args])
    print(f"\n{runs} runs: {runs - len([r for r in bad if r.case.args])} clean, "
          f"{len([r for r in bad if r.case.args])} with problems"
          + ("; MARKER FILE CREATED" if marker_hit else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
