"""``convstudio detect SOURCE``: run a detector over a video, camera, image, folder or the demo scene."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _, join_list

__all__ = ["register", "run_detect"]


def _fraction(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a number").format(text=repr(text))) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(_("{text} is not between 0 and 1").format(text=text))
    return value


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a whole number").format(text=repr(text))) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("{text} must be at least 1").format(text=text))
    return value


def _classes(text: str | None, names: list[str]) -> list[int] | None:
    """Class indices for a comma-separated list of names (any case) or indices; ``ValueError`` names the valid ones."""
    if not text:
        return None
    lower = [n.lower() for n in names]
    out = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and int(part) < len(names):
            out.append(int(part))
        elif part.lower() in lower:
            out.append(lower.index(part.lower()))
        else:
            offered = [f"{i} {n}" for i, n in enumerate(names) if n and n not in ("__background__", "N/A")]
            raise ValueError(_("the detector has no class {name}; its classes: {classes}").format(name=repr(part), classes=join_list(offered)))
    return out


def run_detect(args: argparse.Namespace) -> int:
    """The ``detect`` subcommand."""
    from ..cli import print_json, say_error
    from ..detect import DetectorError, create_detector, detector_choices, detector_specs
    from ..detect.outputs import JsonlExporter, RecordError, VideoRecorder
    from ..detect.pipeline import DetectionPipeline, DetectSettings
    from ..detect.sources import CameraSource, SourceError, open_source
    from ..weights import WeightsError

    if args.list:
        rows = [(spec.name, spec.title, spec) for spec in detector_specs()]
        listed = {name for name, _, _ in rows}
        # Concrete entries a prefix offers (e.g. the grid detector trained in the app).
        rows += [row for row in detector_choices() if row[0] not in listed]
        for name, title, spec in rows:
            need = _("needs weights '{entry}'").format(entry=spec.weights_entry) if spec.weights_entry else _("offline")
            if args.json:
                print_json({"name": name, "title": title, "weights_entry": spec.weights_entry, "group": spec.group})
            else:
                print(f"{name:<40} {_(title)}  [{need}]")
        return 0
    if not args.source:
        say_error(_("give a SOURCE (a file, folder, cam:N or demo), or --list"))
        return 2
    try:
        detector = create_detector(args.model, weights=args.weights)
    except WeightsError as exc:
        say_error(_("{error} (or try the pipeline with --weights random)").format(error=exc))
        return 1
    except (DetectorError, ValueError) as exc:
        say_error(exc)
        return 2
    if detector.random_weights:
        print(_("note: {model} runs with RANDOM weights: the boxes are meaningless (pipeline test only)").format(model=args.model), file=sys.stderr)
    try:
        classes = _classes(args.classes, list(detector.class_names))
        source = open_source(args.source, fps=None if args.every_frame else 30.0)
    except (SourceError, ValueError) as exc:
        say_error(exc)
        return 2
    if isinstance(source, CameraSource) and not args.retry:
        # Waiting is for a camera that worked and went away; one that never opens is an error now.
        try:
            source.open()
        except SourceError as exc:
            say_error(_("{error} (--retry keeps trying)").format(error=exc))
            return 1
    if args.source.strip().lower().split(":", 1)[0] == "demo" and args.frames is None:
        print(_("the demo scene runs until Ctrl+C (or --frames N)"), file=sys.stderr)
    settings = DetectSettings(
        score_threshold=args.score if args.score is not None else detector.default_score,
        iou_threshold=args.iou if args.iou is not None else detector.default_iou, class_agnostic=args.agnostic, classes=tuple(classes) if classes is not None else None,
        max_detections=args.max_det, annotate=bool(args.save_video),
    )
    every_frame = args.every_frame or (not source.live and not args.latest)
    pipeline = DetectionPipeline(source, detector, settings, every_frame=every_frame)
    recorder = VideoRecorder(args.save_video, fps=source.fps or 30.0) if args.save_video else None
    try:
        exporter = JsonlExporter(args.export) if args.export else None
    except RecordError as exc:
        say_error(exc)
        return 2
    frames = 0
    failing: str | None = None
    try:
        for result in pipeline.run(max_frames=args.frames):
            if result.error is not None:
                if result.error != failing:  # once per failure, not once per status tick while it retries
                    say_error(_("{error} (retrying; Ctrl+C stops)").format(error=result.error))
                    failing = result.error
                continue
            if failing is not None:
                print(_("{source} is back").format(source=source.name), file=sys.stderr)
                failing = None
            det, st = result.detections, result.stats
            if args.json:
                record = {"frame": st.index, **det.to_dict(include_raw=not args.no_raw)}
                record["stats"] = {"dropped": st.dropped, "other_ms": round(st.other_ms, 3), "latency_ms": round(st.latency_ms, 3)}
                print_json(record)
            else:
                # class names through the catalogue: they read in the current language where it names them
                kept = join_list(f"{_(det.label_name(int(l)))} {s:.2f}" for s, l in zip(det.scores, det.labels)) or "-"
                print(_("frame {index}: raw {raw} -> kept {kept} | model {model_ms} ms NMS {nms_ms} ms | {boxes}").format(
                    index=f"{st.index:>5}", raw=f"{det.num_raw:>4}", kept=f"{len(det):>3}", model_ms=f"{st.model_ms:6.1f}",
                    nms_ms=f"{st.nms_ms:5.2f}", boxes=kept))
            if recorder is not None and result.annotated is not None:
                recorder.write(result.annotated)
            if exporter is not None:
                exporter.write(st.index, det)
            frames += 1
    except KeyboardInterrupt:
        pass
    except (SourceError, RecordError, DetectorError) as exc:
        for out in (recorder, exporter):
            if out is not None:
                out.abort()
        say_error(exc)
        return 1
    except BaseException:
        for out in (recorder, exporter):
            if out is not None:
                out.abort()
        raise
    try:  # the files take their names only now, complete
        for out in (recorder, exporter):
            if out is not None:
                out.close()
    except RecordError as exc:
        for out in (recorder, exporter):
            if out is not None:
                out.abort()
        say_error(exc)
        return 1
    skipped = getattr(source, "skipped", [])
    for reason in skipped:
        say_error(_("skipped: {reason}").format(reason=reason))
    if skipped:  # a folder run goes on past files it cannot read; the end counts them
        say_error(_("{n} image(s) read, {k} file(s) skipped").format(n=frames, k=len(skipped)))
    if frames == 0:
        say_error(_("no frames were read from the source"))
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `detect` subcommand(s) to the command line."""
    p = sub.add_parser("detect", help=_("detect objects in a video, camera, image, folder or the demo scene"),
                       description=_("Detect objects frame by frame. A camera and the demo scene run until Ctrl+C "
                                   "(or --frames N); files and folders stop at their end."))
    p.add_argument("source", nargs="?", help=_("a video or image file, a folder of images, cam:N, demo or demo:PHOTO"))
    p.add_argument("--model", default="ssdlite320_mobilenet_v3_large", help=_("detector name (see --list); yolo:PATH for a trained grid detector"))
    p.add_argument("--weights", choices=("installed", "random"), default="installed",
                   help=_("installed pretrained weights (default) or random ones (pipeline tests only)"))
    p.add_argument("--score", type=_fraction, default=None, help=_("score threshold (default: the detector's, 0.5 for COCO models)"))
    p.add_argument("--iou", type=_fraction, default=None, help=_("NMS IoU threshold (default: the detector's, 0.5 for COCO models)"))
    p.add_argument("--agnostic", action="store_true", help=_("class-agnostic NMS (boxes of different classes suppress each other)"))
    p.add_argument("--classes", help=_("comma-separated class names or indices to keep"))
    p.add_argument("--max-det", type=_positive, default=100, help=_("maximum detections per frame (default 100)"))
    p.add_argument("--frames", type=_positive, default=None,
                   help=_("stop after N frames (default: the end of the file or folder; a camera or the demo scene runs until Ctrl+C)"))
    p.add_argument("--retry", action="store_true",
                   help=_("keep trying a camera that cannot be opened at start (default: that is an error; a camera lost while running is always retried)"))
    p.add_argument("--latest", action="store_true", help=_("for files: newest-frame-wins at the file's frame rate instead of every frame"))
    p.add_argument("--every-frame", action="store_true", help=_("process every frame in order, also of the demo scene (unpaced)"))
    p.add_argument("--save-video", metavar="MP4", help=_("record the annotated frames to an MP4 file"))
    p.add_argument("--export", metavar="JSONL", help=_("also write the detections as JSON lines to a file"))
    p.add_argument("--no-raw", action="store_true", help=_("leave the raw pre-NMS boxes out of --json output"))
    p.add_argument("--json", action="store_true", help=_("one JSON object per frame on stdout"))
    p.add_argument("--list", action="store_true", help=_("list the detectors and exit"))
    p.set_defaults(func=run_detect)
