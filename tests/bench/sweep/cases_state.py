"""Cases on damaged stored state (course progress, weights list, settings), folder runs with odd file
names, the small ones (absurd sizes, SIGTERM to the app) and damaged face databases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from .cases import Case
from .checks import damaged, kept_aside, no_new_files

__all__ = ["PROGRESS_DAMAGE", "stored_state_cases", "folder_run_cases", "small_cases", "small_disk_cases",
           "face_db_damage_cases"]

PROGRESS_DAMAGE = {
    "trailing NUL": None,  # a valid file with one NUL byte after it (filled in from a real file)
    "attempts list": b'{"version": 1, "sections": {"stride": {"attempts": [1], "correct_seeds": [3]}}}',
    "1e400": b'{"version": 1, "sections": {"stride": {"attempts": 1e400, "correct_seeds": [3], "last": 1e400}}}',
    "correct_seeds int": b'{"version": 1, "sections": {"stride": {"attempts": 2, "correct_seeds": 5}}}',
    "200000 [": b"[" * 200_000,
    "garbage": bytes(range(256)) * 8,
    "empty": b"",
}


def stored_state_cases(tmp: Path) -> list[Case]:
    """Damaged course progress, weights list and settings: each kept aside, told in one line, salvaged."""
    import json

    from engine.course.progress import Progress
    from engine.weights import get_entry

    cases: list[Case] = []
    # a real progress file with two correct answers, written by the app's own code
    ref = Progress(tmp / "progress_ref.json")
    ref.record("stride", 1, True)
    ref.record("stride", 2, True)
    good = ref.path.read_bytes()

    def solved_kept(path: Path) -> Callable[[], str]:
        def check() -> str:
            try:
                seeds = json.loads(path.read_text())["sections"]["stride"]["correct_seeds"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                return f"progress unreadable after the run: {exc}"
            return "" if {1, 2} <= set(seeds) else f"earlier correct answers lost: {seeds}"
        return check

    kinds = [*PROGRESS_DAMAGE, "fifo", "dev-zero", "folder", "huge"]
    for kind in kinds:
        for label, args in (("exercise --answer", ["course", "exercise", "stride", "--seed", "3", "--answer", "0"]),
                            ("progress", ["course", "progress"])):
            home = tmp / f"home_progress_{kind.replace(' ', '_')}_{label.split()[0]}"
            path = home / "config" / "course_progress.json"
            blob = good + b"\0" if kind == "trailing NUL" else PROGRESS_DAMAGE.get(kind)
            damaged(path, kind, blob)
            keeps = solved_kept(path) if kind == "trailing NUL" and label != "progress" else None
            cases.append(Case("stored", f"course {label}, progress file {kind}", args, nonzero=None, timeout=60,
                              env={"CONVSTUDIO_HOME": str(home)}, check=kept_aside(path, keeps)))

    for kind, blob in [("fifo", None), ("dev-zero", None), ("200000 [", b"[" * 200_000), ("trailing NUL", b"{}\0"),
                       ("wrong types", b'{"resnet18": {"file": 5, "sha256": [1], "size": 1e400}}')]:
        home = tmp / f"home_manifest_{kind.replace(' ', '_')}"
        path = home / "data" / "weights" / "manifest.json"
        damaged(path, kind, blob)
        # an installed file, so that the status check reads the manifest instead of stopping at "missing"
        (path.parent / get_entry("resnet18").filename).write_bytes(b"not the real weights")
        cases.append(Case("stored", f"models list, manifest {kind}", ["models", "list"], nonzero=False, timeout=60,
                          env={"CONVSTUDIO_HOME": str(home)}, check=kept_aside(path)))

    # the settings are read by the window: open a course example, stop it with SIGTERM once it speaks
    for kind, blob in [("fifo", None), ("dev-zero", None), ("folder", None), ("huge", None),
                       ("malformed", b"[General]\ntheme=dark\n[[[[\n=\n\0\0\xff")]:
        home = tmp / f"home_settings_{kind}"
        path = home / "config" / "settings.ini"
        damaged(path, kind, blob)
        cases.append(Case("stored", f"open edge-6x6, settings {kind}", ["open", "edge-6x6"], special="sigterm",
                          timeout=180, env={"CONVSTUDIO_HOME": str(home)}, check=kept_aside(path)))
    return cases


def folder_run_cases(tmp: Path, p: dict[str, Path]) -> list[Case]:
    """Folders holding a file name that is not UTF-8 and a PGM with maxval 0: the run goes on and counts them."""
    cases: list[Case] = []
    folder = tmp / "odd_folder"
    folder.mkdir()
    odd = b"odd\xff name.png".decode("utf-8", "surrogateescape")
    shutil.copy(p["good"], folder / odd)
    shutil.copy(p["good"], folder / "plain.png")
    (folder / "maxval0.png").write_bytes(b"P5\n4 4\n0\n" + bytes(16))
    (folder / "maxval0.pgm").write_bytes(b"P5\n4 4\n0\n" + bytes(16))
    people = tmp / "odd_people"
    (people / "eileen").mkdir(parents=True)
    shutil.copy(p["face"], people / "eileen" / odd)
    (people / "eileen" / "maxval0.png").write_bytes(b"P5\n4 4\n0\n" + bytes(16))
    (people / b"b\xffob".decode("utf-8", "surrogateescape")).mkdir()
    shutil.copy(p["face"], people / b"b\xffob".decode("utf-8", "surrogateescape") / "x.png")

    def written(out: Path, n: int) -> Callable[[], str]:
        def check() -> str:
            names = [x.name for x in out.iterdir()] if out.is_dir() else []
            return "" if len(names) == n else f"{len(names)} files written, {n} expected"
        return check

    out = tmp / "out" / "odd_apply"
    cases.append(Case("folder", "style apply, odd names and maxval 0", ["style", "apply", str(p["style"]), str(folder),
                      "-o", str(out)], nonzero=False, check=written(out, 2)))
    cases.append(Case("folder", "detect folder, odd names and maxval 0", ["detect", str(folder), "--model",
                      "haar_face"], nonzero=False))
    cases.append(Case("folder", "detect folder --export, odd names", ["detect", str(folder), "--model", "haar_face",
                      "--export", str(tmp / "out" / "odd.jsonl")], nonzero=False))
    cases.append(Case("folder", "faces import-folder, odd names and maxval 0",
                      ["faces", "--db", str(tmp / "odd_people.db"), "--detector", "haar", "import-folder",
                       str(people)], nonzero=False, timeout=180))
    cases.append(Case("folder", "faces enroll, odd names and maxval 0",
                      ["faces", "--db", str(tmp / "odd_enroll.db"), "--detector", "haar", "enroll", "eileen",
                       *[str(x) for x in sorted((people / "eileen").iterdir())]], nonzero=False, timeout=180))
    return cases


def small_cases(tmp: Path) -> list[Case]:
    """Issue 18's smaller ones: absurd sizes and thread counts, a device with no command, SIGTERM to the app."""
    return [
        Case("small", "screenshots --size 99999999999x1", ["screenshots", str(tmp / "out" / "shots_huge"), "--size",
             "99999999999x1"]),
        Case("small", "screenshots --size 1x99999999999", ["screenshots", str(tmp / "out" / "shots_huge2"), "--size",
             "1x99999999999"]),
        Case("small", "--device garbage, no command", ["--device", "garbage"]),
        Case("small", "yolo train --threads 100000", ["yolo", "train", "--threads", "100000", "--steps", "1"]),
        Case("small", "open edge-6x6 sigterm", ["open", "edge-6x6"], special="sigterm", timeout=180),
        Case("small", "open edge-6x6 sigint", ["open", "edge-6x6"], special="sigint", timeout=180),
    ]


def small_disk_cases(disk: Path) -> list[Case]:
    """Screenshots onto the full disk (added to the full-disk group)."""
    return [Case("disk", "screenshots onto full disk", ["screenshots", str(disk), "--only", "welcome"])]


def face_db_damage_cases(tmp: Path, p: dict[str, Path]) -> list[Case]:
    """Face databases with an unknown schema version, unreadable sample rows, or a path that is not a
    regular file (a FIFO, a link to a device), through every ``faces`` action (group ``facedamage``)."""
    import sqlite3

    import numpy as np

    from engine.face.db import FaceDatabase, NewSample

    d = tmp / "facedamage"
    d.mkdir()

    def fresh_db(path: Path, *statements: tuple[str, tuple]) -> Path:
        rng = np.random.default_rng(0)
        with FaceDatabase(path) as db:
            for person in range(2):
                db.add_samples(f"Person {person}", [
                    NewSample(rng.normal(0, 0.1, 128).astype(np.float32), rng.integers(0, 255, (150, 150, 3), dtype=np.uint8))
                    for _ in range(2)])
        con = sqlite3.connect(path)
        for sql, params in statements:
            con.execute(sql, params)
        con.commit()
        con.close()
        return path

    def unchanged(path: Path) -> Callable[[], str]:
        before = path.read_bytes()
        return lambda: "" if path.read_bytes() == before else f"{path.name} was changed"

    nan = np.full(128, np.nan, "<f4").tobytes()
    dbs: dict[str, tuple[Path, bool]] = {}  # tag -> (file, refused on open)
    for v in (-5, -1, 3, 2**31 - 1):
        dbs[f"user_version {v}"] = (fresh_db(d / f"v{v}.db", (f"PRAGMA user_version = {v}", ())), True)
    damage = {"short blobs": ("UPDATE samples SET embedding = x'00'", ()),
              "nan blobs": ("UPDATE samples SET embedding = ?", (nan,)),
              "text blobs": ("UPDATE samples SET embedding = 'x'", ()),
              "one short blob": ("UPDATE samples SET embedding = x'0102' WHERE id = 3", ()),
              "orphan samples": ("UPDATE samples SET person_id = x'01'", ()),
              "no model id": ("UPDATE samples SET model_id = ''", ())}
    for tag, stmt in damage.items():
        dbs[tag] = (fresh_db(d / (tag.replace(" ", "_") + ".db"), stmt), False)
    pristine = {tag: db.read_bytes() for tag, (db, refused) in dbs.items() if not refused}
    fifo = d / "fifo.db"
    os.mkfifo(fifo)
    dbs["fifo"] = (fifo, True)
    (d / "zero.db").symlink_to("/dev/zero")
    dbs["link to /dev/zero"] = (d / "zero.db", True)

    cases: list[Case] = []
    for tag, (db, refused) in dbs.items():
        base = ["faces", "--db", str(db), "--detector", "haar"]
        for action in (["list"], ["identify", str(p["face"])], ["verify", str(p["face"]), str(p["face"])],
                       ["enroll", "bob", str(p["face"])], ["remove", "Person 0"], ["export", "PLACEHOLDER"],
                       ["import", str(p["db_export"])], ["calibrate"], ["reembed"]):
            exp = d / f"export_{tag.replace(' ', '_').replace('/', '_')}_{action[0]}"
            exp.mkdir()
            if action[0] == "export":
                action = ["export", str(exp / "x.db")]
            # refused on open, or unreadable samples: list and identify fail; the others may run and warn
            if refused or action[0] in {"list", "identify", "calibrate"}:
                nonzero: bool | None = True
            else:
                nonzero = None
            check = unchanged(db) if refused and db.is_file() and not db.is_symlink() else None
            if not refused:  # each run gets its own damaged copy: reembed repairs it, enroll adds to it
                own = d / f"{db.stem}_{action[0]}.db"
                own.write_bytes(pristine[tag])
                base = ["faces", "--db", str(own), "--detector", "haar"]
            cases.append(Case("facedamage", f"faces {action[0]} {tag}", base + action, timeout=240, nonzero=nonzero,
                              check=check or (no_new_files(exp, set()) if refused else None)))
    return cases


