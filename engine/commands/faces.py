"""``convstudio faces [--db PATH] enroll|import-folder|identify|verify|list|remove|export|import|calibrate|reembed``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ..i18n import _, punctuation

__all__ = ["register", "threshold_of"]

#: Actions that change the database: refused up front on a read-only one.
_WRITES = ("enroll", "import-folder", "remove", "import", "reembed")
#: actions that only read the database: they never create one
_READS_ONLY = ("list", "export")


def threshold_of(db, override: float | None = None) -> float:
    """The threshold to use: ``override``, else the database's calibrated one, else dlib's 0.6."""
    from ..face.match import DEFAULT_THRESHOLD

    if override is not None:
        return float(override)
    value = db.get_setting("threshold")
    try:
        tau = float(value) if value is not None else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD
    return tau if math.isfinite(tau) and tau > 0 else DEFAULT_THRESHOLD  # a tampered setting never decides


def _threshold(text: str) -> float:
    """``--threshold``: a finite distance > 0."""
    from ..face.records import threshold_problem

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a distance such as 0.6, got {text!r}").format(text=text)) from None
    problem = threshold_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _far(text: str) -> float:
    """``--far``: a rate strictly between 0 and 1."""
    from ..face.records import far_problem

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a rate such as 0.001, got {text!r}").format(text=text)) from None
    problem = far_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _point(text: str) -> tuple[float, float]:
    """``"X,Y"`` → (x, y) image pixels (for ``enroll --at``)."""
    try:
        x, y = (float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected X,Y in pixels (e.g. 320,180), got {text!r}").format(text=text)) from None
    return x, y


def _num(value: float, digits: int = 4) -> float | None:
    """A number for JSON: rounded, or None when not finite (no match: distance ∞ is not valid JSON)."""
    import math

    return round(float(value), digits) if math.isfinite(value) else None


def _pipeline(args):
    from ..face.pipeline import FacePipeline

    return FacePipeline(detector=args.detector, upsample=args.upsample)


def _fail(text: str) -> int:
    from ..cli import say_error

    say_error(text)
    return 1


def _boxes(faces) -> list[list[float]]:
    return [[round(float(v), 1) for v in f.box] for f in faces]


def _report(args, report) -> int:
    from ..cli import print_json

    several = {source: faces for _name, source, _image, faces in report.several}

    def message(source: str, text: str) -> str:
        faces = several.get(source)
        if faces is None:
            return text
        how = (_("pass --at X,Y (a pixel inside the wanted face's box) to choose one") if args.faces_command == "enroll"
               else _("enroll it with: faces enroll NAME {source} --at X,Y (a pixel inside the wanted face's box)").format(source=source))
        return _("{count} faces found in {photo}: {how}, or crop the photo. Faces (x0, y0, x1, y1): {boxes}").format(
            count=len(faces), photo=Path(source).name, how=how, boxes=", ".join(str(b) for b in _boxes(faces)))

    if args.json:
        print_json(
            {
                "added": [{"person": p, "source": s, "sample_id": i} for p, s, i in report.added],
                "problems": [
                    {"source": s, "message": message(s, m), **({"faces": _boxes(several[s])} if s in several else {})}
                    for s, m in report.problems
                ],
            }
        )
    else:
        for p, s, _sid in report.added:
            print(_("enrolled {person} from {photo}").format(person=p, photo=s))
        for s, m in report.problems:
            print(_("skipped {photo}: {reason}").format(photo=s, reason=message(s, m)))
        print(report.summary())
    if report.added or not report.problems:
        return 0
    if not args.json:
        return _fail(_("nothing was enrolled: {photos}").format(
            photos=punctuation(";").join(Path(s).name + punctuation(":") + _first_sentence(m) for s, m in report.problems)))
    return 1


def _first_sentence(text: str) -> str:
    """The reason, without the advice that follows it (the full message is printed above)."""
    head = text.split(". ")[0].split("。")[0].rstrip(".")
    return head


def _enroll(args, db) -> int:
    from ..cli import progress_printer
    from ..face.enroll import enroll_images
    from ..jobs import run_job

    outcome = run_job(enroll_images(db, _pipeline(args), args.name, args.images, args.min_size, args.at), progress_printer(not args.json))
    if args.notes is not None and db.person(args.name) is not None:
        db.set_notes(args.name, args.notes)
    return _report(args, outcome.result)


def _import_folder(args, db) -> int:
    from ..cli import progress_printer
    from ..face.enroll import import_folder
    from ..jobs import run_job

    try:
        outcome = run_job(import_folder(db, _pipeline(args), args.dir, args.min_size), progress_printer(not args.json))
    except (FileNotFoundError, NotADirectoryError) as exc:
        return _fail(str(exc))
    return _report(args, outcome.result)


def _identify(args, db) -> int:
    from ..cli import print_json
    from ..face.match import UNKNOWN, GalleryCache
    from ..face.live import recognize_image
    from ..io import ImageLoadError, load_image

    pipeline = _pipeline(args)
    cache = GalleryCache(db, pipeline.model_id)
    tau = threshold_of(db, args.threshold)
    if len(cache.get()) == 0:
        from ..cli import say_error

        say_error(_("nobody is enrolled yet; every face will be Unknown"))
    out, rc = [], 0
    for path in args.images:
        try:
            result = recognize_image(pipeline, cache, load_image(path), tau)
        except ImageLoadError as exc:
            out.append({"image": path, "error": str(exc)})
            rc = 1
            continue
        faces = [
            {
                "box": [round(float(v), 1) for v in f.box],
                "name": r.name,
                "distance": _num(r.distance),
                "confidence": _num(r.confidence),
                "top": [{"name": c.name, "distance": _num(c.distance)} for c in r.top],
            }
            for f, r in zip(result.faces, result.identities or [])
        ]
        out.append({"image": path, "threshold": tau, "faces": faces})
    if args.json:
        print_json(out)
    else:
        for item in out:
            if "error" in item:
                print(item["error"])
            elif not item["faces"]:
                print(_("{image}: no face found").format(image=item["image"]))
            for f in item.get("faces", []):
                top = ", ".join(f"{c['name']} {c['distance']:.3f}" for c in f["top"] if c["distance"] is not None) or "-"
                dist = f"{f['distance']:.3f}" if f["distance"] is not None else "-"
                print(_("{image}: {name}  distance {distance}  confidence {confidence}  box {box}  closest: {top}").format(
                    image=item["image"], name=_(f["name"]) if f["name"] == UNKNOWN else f["name"], distance=dist, confidence=f"{f['confidence'] or 0:.2f}", box=f["box"], top=top))
    return rc


def _verify(args, db) -> int:
    from ..cli import print_json
    from ..face.match import verify
    from ..io import ImageLoadError, load_image

    pipeline = _pipeline(args)
    descriptors = []
    for path in args.images:
        try:
            faces = pipeline.analyze(load_image(path))
        except ImageLoadError as exc:
            return _fail(str(exc))
        if not faces:
            return _fail(_("no face found in {path}").format(path=path))
        if len(faces) > 1 and not args.json:
            print(_("{path}: {count} faces, using the most confident one").format(path=path, count=len(faces)), file=sys.stderr)
        descriptors.append(faces[0].descriptor)
    tau = threshold_of(db, args.threshold)
    v = verify(descriptors[0], descriptors[1], tau)
    if args.json:
        print_json({"distance": round(v.distance, 4), "same": v.same, "confidence": round(v.confidence, 4), "threshold": tau})
    else:
        verdict = _("same person") if v.same else _("different people")
        print(_("distance {distance} (threshold {threshold}): {verdict}").format(
            distance=f"{v.distance:.4f}", threshold=f"{tau:.3f}", verdict=verdict))
    return 0


def _list(args, db) -> int:
    from ..cli import print_json

    people = db.people()
    if args.json:
        print_json([{"name": p.name, "samples": p.samples, "notes": p.notes, "created": p.created} for p in people])
    else:
        from ..tables import format_table

        for line in format_table([(p.name, _("{count} samples").format(count=p.samples), p.notes or "") for p in people]):
            print(line)
        print(_("{people} people, {samples} samples in {path}").format(
            people=len(people), samples=sum(p.samples for p in people), path=db.path))
    return 0


def _remove(args, db) -> int:
    from ..cli import print_json

    try:
        n = db.remove_person(args.name)
    except KeyError as exc:
        return _fail(exc.args[0])
    if args.json:
        print_json({"removed": args.name, "samples": n})
    else:
        print(_("removed {name} and {count} samples").format(name=args.name, count=n))
    return 0


def _export(args, db) -> int:
    from ..cli import print_json

    path = db.export(args.file)
    if args.json:
        print_json({"exported": str(path), "people": len(db.people()), "samples": db.sample_count()})
    else:
        print(_("exported {count} samples to {path}").format(count=db.sample_count(), path=path))
    return 0


def _import(args, db) -> int:
    from ..cli import print_json

    r = db.import_file(args.file)
    if args.json:
        print_json(r.__dict__)
    else:
        print(_("{added} people added, {merged} merged, {samples} samples added, {skipped} already present").format(
            added=r.people_added, merged=r.people_merged, samples=r.samples_added, skipped=r.samples_skipped))
    return 0


def _calibrate(args, db) -> int:
    from ..cli import print_json
    from ..face.calibration import calibrate
    from ..face.db import DEFAULT_MODEL_ID

    g = db.gallery(args.model or DEFAULT_MODEL_ID)
    labels = [g.names[i] for i in g.person_index]
    cal = calibrate(g.embeddings, labels)
    if cal.pairs.same.size == 0 or cal.pairs.different.size == 0:
        return _fail(_("calibration needs at least two people, one of them with two or more samples"))
    tau = cal.threshold_for_far(args.far)
    if not math.isfinite(tau):
        return _fail(_("calibration gave no usable threshold (the distances are not finite numbers); nothing was applied"))
    far, frr = cal.rates_at(tau)
    warning = cal.far_warning(args.far)
    if args.apply:
        db.set_setting("threshold", f"{tau:.6f}")
    result = {
        "people": cal.people, "samples": cal.samples, "same_pairs": int(cal.pairs.same.size), "different_pairs": int(cal.pairs.different.size),
        "eer": cal.eer, "eer_threshold": cal.eer_threshold, "far_target": args.far, "threshold": tau, "far": far, "frr": frr, "applied": bool(args.apply),
        "warning": warning,
    }
    if args.json:
        print_json(result)
    else:
        print(_("{people} people, {samples} samples: {same} same-person and {different} different-person pairs").format(
            people=cal.people, samples=cal.samples, same=cal.pairs.same.size, different=cal.pairs.different.size))
        print(_("equal error rate {eer}% at distance {distance}").format(eer=f"{cal.eer * 100:.2f}", distance=f"{cal.eer_threshold:.3f}"))
        line = _("for FAR <= {target}%: threshold {threshold} (FAR {far}%, FRR {frr}%)").format(
            target=f"{args.far * 100:g}", threshold=f"{tau:.3f}", far=f"{far * 100:.2f}", frr=f"{frr * 100:.2f}")
        print(line + (_(" - applied") if args.apply else ""))
        if warning:
            print(_("caution: {warning}").format(warning=warning))
    return 0


def _reembed(args, db) -> int:
    from ..cli import print_json, progress_printer
    from ..jobs import run_job

    pipeline = _pipeline(args)
    n = run_job(db.reembed(pipeline.embed_chips, pipeline.model_id), progress_printer(not args.json)).result
    if args.json:
        print_json({"reembedded": n, "model_id": pipeline.model_id})
    else:
        print(_("re-embedded {count} sample(s) with {model}").format(count=n, model=pipeline.model_id))
    return 0


_ACTIONS = {
    "enroll": _enroll, "import-folder": _import_folder, "identify": _identify, "verify": _verify, "list": _list,
    "remove": _remove, "export": _export, "import": _import, "calibrate": _calibrate, "reembed": _reembed,
}


def _missing(path: Path) -> bool:
    """True only when ``path`` (or a folder above it) does not exist; other errors are the database's to report."""
    try:
        path.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _run(args: argparse.Namespace) -> int:
    from ..face.db import REPAIR, FaceDatabase, FaceDatabaseError
    from ..face.pipeline import FaceModelsUnavailable

    action = args.faces_command
    if action in _READS_ONLY and args.db and _missing(Path(args.db)):
        # reading must not create a database (a typo in --db, or a full disk, would leave an empty file behind)
        return _fail(_("there is no face database at {path}; enroll someone to create it, or check --db").format(path=args.db))
    try:
        with FaceDatabase(args.db) as db:
            if db.read_only and (action in _WRITES or (action == "calibrate" and args.apply)):
                return _fail(_("the face database {path} is read-only (its file permissions say so): {action} was refused and nothing was changed.").format(
                    path=db.path, action=action if action != "calibrate" else "calibrate --apply"))
            unreadable = len(db.unreadable_samples()) if action not in ("reembed", "export") else 0
            if unreadable and action in ("identify", "calibrate"):
                db.gallery()  # raises the one-line error: how many samples are unreadable and the way out
            rc = _ACTIONS[action](args, db)
            if unreadable:
                # never let a damaged gallery pass for a smaller or empty one
                _fail(_("{n} of {total} samples in the face database {path} are unreadable (damaged). {repair}").format(
                    n=unreadable, total=db.sample_count(), path=db.path, repair=_(REPAIR)))
                if action == "list":
                    rc = 1
            return rc
    except (FaceDatabaseError, FaceModelsUnavailable, ValueError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        # every sample is its own transaction: what was committed stays, the one in progress was rolled back
        if action in _WRITES:
            if not getattr(args, "json", False):
                sys.stderr.write("\n")  # end the progress bar's line
            _fail(_("stopped (Ctrl+C); what was saved before the stop is kept and the database is consistent."))
        else:
            _fail(_("stopped (Ctrl+C)."))
        return 130


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `faces` subcommand(s) to the command line."""
    p = sub.add_parser("faces", help=_("enroll people, identify and verify faces, calibrate the threshold"))
    p.add_argument("--db", type=Path, default=None, help=_("faces database file (default: faces.db in the data folder)"))
    p.add_argument("--detector", choices=("mmod", "haar"), default="mmod", help=_("face detector: dlib's CNN (default) or OpenCV's Haar cascade"))
    p.add_argument("--upsample", type=int, default=0, choices=(0, 1, 2), help=_("MMOD: double the image N times first to find small faces (slower)"))
    p.add_argument("--threshold", type=_threshold, default=None, help=_("decision distance (default: the calibrated one, else 0.6)"))
    p.add_argument("--min-size", type=float, default=48, help=_("smallest face to enroll, in pixels (default 48)"))
    fsub = p.add_subparsers(dest="faces_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        a = fsub.add_parser(name, help=help_text)
        a.add_argument("--json", action="store_true", help=_("print one JSON document"))
        a.set_defaults(func=_run)
        return a

    add("enroll", _("enroll NAME from photos (one face each)")).add_argument("name")
    fsub.choices["enroll"].add_argument("images", nargs="+", metavar="IMAGE")
    fsub.choices["enroll"].add_argument("--notes", default=None, help=_("free-text notes stored with the person (replaces earlier notes)"))
    fsub.choices["enroll"].add_argument(
        "--at", type=_point, default=None, metavar="X,Y", help=_("in a photo with several faces, enroll the one whose box holds this pixel")
    )
    add("import-folder", _("enroll DIR/<person>/<photos> for every sub-folder")).add_argument("dir")
    add("identify", _("name the faces in photos")).add_argument("images", nargs="+", metavar="IMAGE")
    add("verify", _("are two photos the same person?")).add_argument("images", nargs=2, metavar="IMAGE")
    add("list", _("enrolled people"))
    add("remove", _("delete a person and all their samples")).add_argument("name")
    add("export", _("write the database to one file")).add_argument("file")
    add("import", _("merge an exported file (by name)")).add_argument("file")
    c = add("calibrate", _("EER and a threshold for a chosen false-accept rate, from the enrolled samples"))
    c.add_argument("--far", type=_far, default=0.001, help=_("target false-accept rate (default 0.001)"))
    c.add_argument("--apply", action="store_true", help=_("store the threshold in the database"))
    c.add_argument("--model", default=None, help=argparse.SUPPRESS)
    add("reembed", _("re-compute every descriptor from the stored chips with the current model"))
