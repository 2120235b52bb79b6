"""``convstudio example-shots DIR [EXAMPLE_ID…]``: open worked examples with Show me and render each to PNG.

Each example is opened as the Course panel's Show me opens it (its panel, its state, the example bar),
its jobs (a training run) are waited for, and the window is saved as ``DIR/<example id>.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["register", "render_examples"]


def render_examples(out_dir: Path, example_ids: list[str] | None = None, size: tuple[int, int] = (1024, 700),
                    lang: str = "en", timeout: float = 180.0) -> dict[str, str]:
    """Render each example (default: every worked example) to ``out_dir/<id>.png``; returns {id: "ok" or why not}."""
    from PySide6.QtCore import QSettings

    from engine.course import EXAMPLES, example
    from engine.course.examples import UnknownExample
    from engine.files import atomic_path, disk_error

    from .app import ensure_app
    from .window import MainWindow

    app = ensure_app()
    ids = list(example_ids or [e.id for e in EXAMPLES])
    results: dict[str, str] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="convstudio-example-shots-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("faces/db", str(Path(scratch) / "faces.db"))
        settings.setValue("language", lang)
        window = MainWindow(settings=settings)
        window._quiet_dialogs = True
        window.resize(*size)
        window.show()
        app.processEvents()
        for eid in ids:
            try:
                example(eid)
            except UnknownExample as exc:
                results[eid] = str(exc)
                continue
            try:
                window.switch_to("course")
                window.open_example(eid)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    app.processEvents()
                    panel = window.current_panel()
                    if not window.jobs.active() and (panel is None or panel.screenshot_ready()):
                        break
                    time.sleep(0.02)
                for _i in range(5):
                    app.processEvents()
                path = out_dir / f"{eid}.png"
                with atomic_path(path) as tmp:
                    if not window.grab().save(str(tmp), "PNG"):
                        raise disk_error(path)
                results[eid] = "ok"
            except Exception as exc:  # report and go on with the other examples
                results[eid] = f"{type(exc).__name__}: {exc}"
        window.close()
        app.processEvents()
    return results


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"convstudio: --size must look like 1024x700, not {args.size!r}", file=sys.stderr)
        return 2
    results = render_examples(Path(args.dir), args.examples, (w, h), args.lang)
    for eid, state in results.items():
        print(f"{eid:<30} {'written' if state == 'ok' else 'FAILED: ' + state}")
    return 0 if results and all(v == "ok" for v in results.values()) else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `example-shots` subcommand."""
    p = sub.add_parser("example-shots", help="open worked examples with Show me and render each to DIR/<id>.png")
    p.add_argument("dir")
    p.add_argument("examples", nargs="*", metavar="EXAMPLE_ID", help="example ids (default: every worked example)")
    p.add_argument("--size", default="1024x700", help="window size, WIDTHxHEIGHT (default 1024x700)")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en", help="interface language (default en)")
    p.set_defaults(func=_run)
