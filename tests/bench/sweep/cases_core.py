"""The main cases: every reader and writer on the hostile inputs, absurd arguments, unwritable outputs,
missing cameras, closed pipes, signals, and writers aimed at a full disk."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .cases import Case
from .checks import no_new_files, victim_unchanged, whole_png_or_nothing

__all__ = ["build_cases", "full_disk_cases"]


def build_cases(tmp: Path, p: dict[str, Path]) -> list[Case]:
    """Every reader and writer on the inputs in ``p``, odd arguments, pipes and signals; outputs under ``tmp/out``."""
    cases: list[Case] = []
    out = tmp / "out"
    out.mkdir()
    imgs = [k for k in p if k.startswith("img:")]

    def fresh(name: str) -> Path:
        q = out / name
        q.mkdir(parents=True, exist_ok=True)
        return q

    # --- images through every reader
    for k in imgs:
        img = str(p[k])
        tag = k[4:]
        ok = None if tag == "one.png" else True  # a 1×1 image is an image: refusing or using it are both fine
        o = fresh("filter_" + tag)
        cases.append(Case("image", f"conv filter {tag}", ["conv", "filter", img, str(o / "o.png")],
                          check=no_new_files(o, set())))
        db = tmp / f"img_faces_{tag}.db"
        cases.append(Case("image", f"faces identify {tag}",
                          ["faces", "--db", str(db), "--detector", "haar", "identify", img], nonzero=ok))
        cases.append(Case("image", f"faces enroll {tag}",
                          ["faces", "--db", str(db), "--detector", "haar", "enroll", "bob", img]))
        o = fresh("apply_" + tag)
        cases.append(Case("image", f"style apply {tag}", ["style", "apply", str(p["style"]), img, "-o", str(o)],
                          check=no_new_files(o, set())))
        o = fresh("stylize_" + tag)
        cases.append(Case("image", f"stylize content {tag}",
                          ["stylize", img, "sample:mosaic", "--size", "32", "--steps", "1", "--backbone", "random",
                           "-o", str(o / "o.png")], nonzero=ok, check=None if ok is None else no_new_files(o, set())))
        o = fresh("stylize_style_" + tag)
        cases.append(Case("image", f"stylize style {tag}",
                          ["stylize", "sample:chelsea", img, "--size", "32", "--steps", "1", "--backbone", "random",
                           "-o", str(o / "o.png")], nonzero=ok, check=None if ok is None else no_new_files(o, set())))
        cases.append(Case("image", f"detect {tag}", ["detect", img, "--model", "haar_face", "--frames", "1"],
                          nonzero=ok))
        cases.append(Case("image", f"arch summary {tag}", ["arch", "summary", img]))

    # --- model files through every loader
    models = [k for k in p if k.startswith("model:")]
    for k in models:
        f = str(p[k])
        tag = k[6:]
        home = tmp / f"home_import_{tag}"
        cases.append(Case("model", f"models import {tag}", ["models", "import", "resnet18", f],
                          env={"CONVSTUDIO_HOME": str(home)}))
        cases.append(Case("model", f"arch summary {tag}", ["arch", "summary", f]))
        o = fresh("apply_model_" + tag)
        cases.append(Case("model", f"style apply {tag}", ["style", "apply", f, str(p["good"]), "-o", str(o)],
                          check=no_new_files(o, set())))
        cases.append(Case("model", f"yolo eval {tag}", ["yolo", "eval", f, "--scenes", "2"]))
        cases.append(Case("model", f"detect yolo:{tag}", ["detect", "demo", "--model", "yolo:" + f, "--frames", "1"]))
        o = fresh("resume_" + tag)
        shutil.copy(p[k], o / "net.pth.ckpt")
        cases.append(Case("model", f"style train resume {tag}",
                          ["style", "train", "sample:mosaic", "-o", str(o / "net.pth"), "--steps", "1", "--size", "32",
                           "--batch-size", "1", "--backbone", "random"],
                          check=no_new_files(o, {"net.pth.ckpt"})))

    # --- model files whose graphs use operators outside the allowlist, through every loader
    for k in [k for k in p if k.startswith("graph:")]:
        f = str(p[k])
        tag = k[6:]
        unchanged = victim_unchanged(p["victim"])
        cases.append(Case("graph", f"arch summary {tag}", ["arch", "summary", f], check=unchanged))
        cases.append(Case("graph", f"arch summary --input {tag}", ["arch", "summary", f, "--input", "1x8x8"],
                          check=unchanged))
        cases.append(Case("graph", f"models import {tag}", ["models", "import", "resnet18", f],
                          env={"CONVSTUDIO_HOME": str(tmp / f"home_graph_{tag}")}, check=unchanged))
        o = fresh("apply_graph_" + tag)
        cases.append(Case("graph", f"style apply {tag}", ["style", "apply", f, str(p["good"]), "-o", str(o)],
                          check=unchanged))
        cases.append(Case("graph", f"yolo eval {tag}", ["yolo", "eval", f, "--scenes", "2"], check=unchanged))
        cases.append(Case("graph", f"detect yolo:{tag}", ["detect", "demo", "--model", "yolo:" + f, "--frames", "1"],
                          check=unchanged))
        o = fresh("resume_graph_" + tag)
        shutil.copy(p[k], o / "net.pth.ckpt")
        cases.append(Case("graph", f"style train resume {tag}",
                          ["style", "train", "sample:mosaic", "-o", str(o / "net.pth"), "--steps", "1", "--size", "32",
                           "--batch-size", "1", "--backbone", "random"], check=unchanged))

    # --- face databases
    dbs = [k for k in p if k.startswith("db:") and k != "db:real"]
    for k in dbs:
        db = str(p[k])
        tag = k[3:]
        nd = tag in {"readonly", "no_perm_folder"}
        base = ["faces", "--db", db, "--detector", "haar"]
        for action in (["list"], ["identify", str(p["face"])], ["enroll", "bob", str(p["face"])], ["remove", "eileen"],
                       ["export", "PLACEHOLDER"], ["import", str(p["db_export"])], ["calibrate"]):
            # a read-only database may still be listed, identified and exported
            ok = tag == "readonly" and action[0] in {"list", "identify", "export"}
            if tag == "readonly" and action[0] == "calibrate":
                ok = None  # one enrolled person: "not enough samples" is fine too
            exp = fresh(f"dbexport_{tag}_{action[0]}")
            if action[0] == "export":
                action = ["export", str(exp / "x.db")]
            cases.append(Case("facedb", f"faces {action[0]} {tag}", base + action, no_dac=nd,
                              nonzero=None if ok is None else not ok,
                              check=no_new_files(exp, {"x.db"} if ok else set())))

    # --- absurd arguments
    img = str(p["good"])
    o = fresh("absurd")
    absurd = [
        ["conv", "size", "1000000000", "-f", "3"],
        ["conv", "size", "5", "-f", "1000000000"],
        ["conv", "size", "5", "-p", "1000000000"],
        ["conv", "size", "5", "-s", "0"],
        ["conv", "size", "5", "-s", "-3"],
        ["conv", "size", "5", "-d", "0"],
        ["conv", "size", "5", "--c-in", "1000000000", "--c-out", "1000000000"],
        ["conv", "size", "0"],
        ["conv", "size", "-5"],
        ["conv", "size", "nan"],
        ["conv", "export", str(o / "a.gif"), "--n", "100000"],
        ["conv", "export", str(o / "b.gif"), "-p", "100000"],
        ["conv", "export", str(o / "c.gif"), "--fps", "0"],
        ["conv", "export", str(o / "d.gif"), "--fps", "-5"],
        ["conv", "export", str(o / "e.gif"), "--cell", "100000"],
        ["conv", "export", str(o / "f.gif"), "--max-frames", "-1"],
        ["conv", "export", str(o / "g.txt")],
        ["conv", "filter", img, str(o / "h.png"), "-f", "100000"],
        ["conv", "filter", img, str(o / "i.png"), "-p", "100000"],
        ["conv", "filter", img, str(o / "j.png"), "-s", "100000"],
        ["conv", "filter", img, str(o / "k.png"), "-d", "100000"],
        ["conv", "filter", img, str(o / "l.png"), "--pool", "max", "--pool-size", "100000"],
        ["conv", "filter", img, str(o / "m.png"), "--kernel", "no such kernel"],
        ["yolo", "train", "--grid", "10000", "--scenes", "1000000000", "--steps", "1"],
        ["yolo", "train", "--grid", "0", "--steps", "1"],
        ["yolo", "train", "--anchors", "0", "--steps", "1", "--scenes", "4", "--val-scenes", "2"],
        ["yolo", "train", "--minutes", "nan", "--steps", "1", "--scenes", "4", "--val-scenes", "2"],
        ["yolo", "train", "--scenes", "-1", "--steps", "1"],
        ["yolo", "train", "--threads", "0", "--steps", "1", "--scenes", "4", "--val-scenes", "2"],
        ["faces", "--db", str(tmp / "absurd.db"), "--threshold", "nan", "--detector", "haar", "identify", img],
        ["faces", "--db", str(tmp / "absurd.db"), "--threshold", "-1", "--detector", "haar", "identify", img],
        ["faces", "--db", str(tmp / "absurd.db"), "--threshold", "inf", "--detector", "haar", "identify", img],
        ["faces", "--db", str(tmp / "absurd.db"), "--min-size", "0", "--detector", "haar", "identify", img],
        ["faces", "--db", str(tmp / "absurd.db"), "--min-size", "-5", "--detector", "haar", "enroll", "x", img],
        ["faces", "--db", str(tmp / "absurd.db"), "calibrate", "--far", "nan"],
        ["faces", "--db", str(tmp / "absurd.db"), "calibrate", "--far", "2"],
        ["faces", "--db", str(tmp / "absurd.db"), "enroll", "x", img, "--at", "nan,nan"],
        ["detect", "demo", "--model", "haar_face", "--score", "nan", "--frames", "1"],
        ["detect", "demo", "--model", "haar_face", "--iou", "2", "--frames", "1"],
        ["detect", "demo", "--model", "haar_face", "--frames", "-1"],
        ["detect", "demo", "--model", "haar_face", "--frames", "0"],
        ["detect", "demo", "--model", "haar_face", "--max-det", "-1", "--frames", "1"],
        ["detect", "demo", "--model", "haar_face", "--score", "inf", "--frames", "1"],
        ["detect", "demo", "--model", "no_such_model", "--frames", "1"],
        ["stylize", "sample:chelsea", "sample:mosaic", "--size", "32", "--steps", "1", "--backbone", "random",
         "--style-strength", "5", "-o", str(o / "s1.png")],
        ["stylize", "sample:chelsea", "sample:mosaic", "--size", "0", "--steps", "1", "--backbone", "random",
         "-o", str(o / "s2.png")],
        ["stylize", "sample:chelsea", "sample:mosaic", "--size", "1000000", "--steps", "1", "--backbone", "random",
         "-o", str(o / "s3.png")],
        ["stylize", "sample:chelsea", "sample:mosaic", "--size", "32", "--steps", "-1", "--backbone", "random",
         "-o", str(o / "s4.png")],
        ["stylize", "sample:chelsea", "sample:mosaic", "--size", "32", "--steps", "1", "--backbone", "random",
         "--alpha", "nan", "-o", str(o / "s5.png")],
        ["stylize", "sample:nope", "sample:mosaic", "--size", "32", "--steps", "1", "--backbone", "random",
         "-o", str(o / "s6.png")],
        ["style", "apply", str(p["style"]), img, "-o", str(o / "ap"), "--strength", "5"],
        ["style", "apply", str(p["style"]), img, "-o", str(o / "ap2"), "--strength", "nan"],
        ["style", "train", "sample:mosaic", "-o", str(o / "t.pth"), "--steps", "1", "--size", "0",
         "--backbone", "random"],
        ["style", "train", "sample:mosaic", "-o", str(o / "t2.pth"), "--steps", "1", "--size", "32",
         "--batch-size", "0", "--backbone", "random"],
        ["arch", "summary", "resnet18", "--input", "3x100000x100000"],
        ["arch", "summary", "resnet18", "--input", "0x0x0"],
        ["arch", "summary", "resnet18", "--depth", "-1"],
        ["arch", "train-digits", "--epochs", "-1"],
        ["arch", "train-digits", "--epochs", "0"],
    ]
    # arithmetic on big numbers, or a setting that is odd but meaningful: refusing (in one line) or
    # running are both fine; the rest must be refused
    either = {"conv size 5 --c-in", "arch summary resnet18 --input 3x100000x100000", "conv size 1000000000", "conv size 5 -p 1000000000", "detect demo --model "
              "haar_face --frames 0", "detect demo --model haar_face --iou 2", "arch summary resnet18 --depth -1",
              "arch train-digits --epochs 0", "faces --db absurd.db --min-size 0", "conv filter in/good.png "
              "out/absurd/j.png -s 100000", "detect demo --model haar_face --max-det -1"}
    for a in absurd:
        label = " ".join(a).replace(str(tmp) + "/", "")
        ok = None if any(label.startswith(e) for e in either) else True
        cases.append(Case("absurd", label[:90], a, nonzero=ok, timeout=120))

    # --- outputs
    ro = tmp / "readonly_out"
    ro.mkdir()
    ro.chmod(0o500)
    folder_as_file = fresh("folder_as_file")
    (folder_as_file / "x.png").mkdir()
    for tag, target in [("missing folder", tmp / "nope" / "deeper"), ("read-only folder", ro),
                        ("onto a folder", folder_as_file)]:
        nd = tag == "read-only folder"
        made = None if tag == "missing folder" else True  # creating the missing folder is fine too
        cases.append(Case("output", f"conv filter -o {tag}", ["conv", "filter", img, str(target / "x.png")],
                          no_dac=nd))
        cases.append(Case("output", f"conv export -o {tag}", ["conv", "export", str(target / "x.png" if tag ==
                          "onto a folder" else target / "x.gif")], no_dac=nd, nonzero=made))
        cases.append(Case("output", f"stylize -o {tag}",
                          ["stylize", "sample:chelsea", "sample:mosaic", "--size", "32", "--steps", "1",
                           "--backbone", "random", "-o", str(target / "x.png")], no_dac=nd, nonzero=made))
        cases.append(Case("output", f"faces export {tag}",
                          ["faces", "--db", str(p["db:real"]), "export", str(target / "x.png" if tag ==
                           "onto a folder" else target / "x.db")], no_dac=nd, nonzero=made))
        cases.append(Case("output", f"style apply -o {tag}",  # -o is a folder: "onto a file" here
                          ["style", "apply", str(p["style"]), img, "-o", str(p["good"] if tag ==
                           "onto a folder" else target)], no_dac=nd, nonzero=None if tag == "missing folder" else True))
        cases.append(Case("output", f"detect --export {tag}",
                          ["detect", "demo", "--model", "haar_face", "--frames", "1", "--export",
                           str(target / "x.png" if tag == "onto a folder" else target / "x.jsonl")], no_dac=nd,
                          nonzero=made))
    cases.append(Case("output", "models import into read-only home", ["models", "import", "resnet18",
                      str(p["model:wrong_arch.pth"])], env={"CONVSTUDIO_HOME": str(ro)}, no_dac=True))

    # --- cameras
    for cam in ["cam:0", "cam:-1", "cam:99", "cam:x"]:
        cases.append(Case("camera", f"detect {cam}", ["detect", cam, "--model", "haar_face", "--frames", "1"]))

    # --- pipes closed after one line
    cases.append(Case("pipe", "detect demo --json | head -1",
                      ["detect", "demo", "--model", "haar_face", "--json", "--every-frame"], special="pipe",
                      nonzero=False))
    cases.append(Case("pipe", "course list --json | head -1", ["course", "list", "--json"], special="pipe",
                      nonzero=False))
    cases.append(Case("pipe", "arch list | head -1", ["arch", "list"], special="pipe", nonzero=False))

    # --- signals a second after start
    for sig in ("sigint", "sigterm"):
        so = fresh("signals_stylize_" + sig)
        # stopping keeps the best image so far (by design): it must be a whole PNG
        cases.append(Case("signal", f"stylize {sig}",
                          ["stylize", "sample:chelsea", "sample:mosaic", "--size", "64", "--steps", "500",
                           "--backbone", "random", "-o", str(so / f"{sig}.png")], special=sig,
                          check=whole_png_or_nothing(so)))
        cases.append(Case("signal", f"arch train-digits {sig}", ["arch", "train-digits", "--epochs", "500"],
                          special=sig))
        so = fresh("signals_yolo_" + sig)
        cases.append(Case("signal", f"yolo train {sig}", ["yolo", "train", "--scenes", "50", "--val-scenes", "10",
                                                           "-o", str(so / f"y_{sig}.pt")], special=sig,
                          check=no_new_files(so, set())))
    return cases


def full_disk_cases(tmp: Path, p: dict[str, Path]) -> tuple[list[Case], Path | None]:
    """Writers aimed at a 256 KiB tmpfs filled to the brim; none when tmpfs cannot be mounted."""
    disk = tmp / "disk"
    disk.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if r.returncode != 0:
        print("full-disk cases skipped: cannot mount tmpfs", file=sys.stderr)
        return [], None

    def fill() -> None:
        for x in disk.iterdir():
            if x.name != "filler" and x.name != "home":
                shutil.rmtree(x) if x.is_dir() else x.unlink()
        try:
            with open(disk / "filler", "ab") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass

    (disk / "home").mkdir()
    img = str(p["good"])
    allowed = {"filler", "home"}
    cases = [
        Case("disk", "conv filter -o full disk", ["conv", "filter", img,
                                                   str(disk / "x.png")]),
        Case("disk", "conv export -o full disk", ["conv", "export", str(disk / "x.gif")]),
        Case("disk", "faces export full disk", ["faces", "--db", str(p["db:real"]), "export", str(disk / "x.db")]),
        Case("disk", "stylize -o full disk", ["stylize", "sample:chelsea", "sample:mosaic", "--size", "32",
                                               "--steps", "1", "--backbone", "random", "-o", str(disk / "x.png")]),
        Case("disk", "style apply -o full disk", ["style", "apply", str(p["style"]), img, "-o", str(disk)]),
        Case("disk", "models import home on full disk", ["models", "import", "resnet18", str(p["style"])],
             env={"CONVSTUDIO_HOME": str(disk / "home")}),
        Case("disk", "faces enroll db on full disk", ["faces", "--db", str(disk / "home" / "f.db"), "--detector",
                                                       "haar", "enroll", "eileen", str(p["face"])]),
    ]
    for c in cases:
        c.setup = fill
        c.check = no_new_files(disk, allowed)
    return cases, disk


