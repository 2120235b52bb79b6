"""``convstudio screenshots DIR``: render every panel offscreen to PNG."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from engine.files import describe_os_error
from engine.i18n import _

__all__ = ["register", "render_panels", "MAX_SIDE", "save_png"]

#: The largest window side a screenshot may ask for (a 16384×16384 image is already 1 GiB of pixels).
MAX_SIDE = 16384


def save_png(image, path: Path) -> None:
    """Write a ``QImage`` to ``path`` as PNG: encoded in memory, then written whole (atomically) by Python,
    so a full disk is an ``OSError(ENOSPC)`` naming the disk, not a libpng error."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from engine.files import atomic_write

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buf, "PNG")
    buf.close()
    if not ok:
        raise RuntimeError(_("could not encode the screenshot as PNG"))
    with atomic_write(path, "wb") as fh:
        fh.write(bytes(data))


def render_panels(out_dir: Path, size: tuple[int, int] = (1280, 800), only: list[str] | None = None, theme: str = "light", timeout: float = 20.0, lang: str = "en", sections: list[str] | None = None, examples: list[str] | None = None) -> dict[str, str]:
    """Render each registered panel inside the main window to ``out_dir/<panel_id>.png``.

    ``examples``: worked-example ids (or ``["all"]``) to render as ``example-<id>.png``: the example's panel
    after "Show me", with the example bar; only these are rendered when given.

    ``sections``: course section ids (or ``["all"]``) to render as ``course-<section>.png`` instead of
    the Course panel's default page.

    ``lang`` is the interface language (``en`` or ``zh_CN``). Returns {panel_id: "ok" or an error message}. Waits (up to ``timeout``
    seconds per panel) for a panel's :meth:`screenshot_ready`.
    """
    from PySide6.QtWidgets import QApplication

    from .app import ensure_app
    from .panels import PANELS, load_panel_classes
    from .window import MainWindow

    app = ensure_app()
    out_dir.mkdir(parents=True, exist_ok=True)
    classes = load_panel_classes()
    results: dict[str, str] = {}
    if len(classes) < len(PANELS):
        loaded = {f"{c.__module__}:{c.__name__}" for c in classes}
        for entry in PANELS:
            if entry.spec not in loaded:
                results[entry.panel_id] = "failed to import (see the log)"
    known = [c.panel_id for c in classes]
    for panel_id in only or []:
        if panel_id not in known:
            results[panel_id] = f"unknown panel; known: {', '.join(known)}"
    # Screenshots must not touch the user's settings (theme, last panel, geometry).
    from PySide6.QtCore import QSettings

    scratch = tempfile.TemporaryDirectory(prefix="convstudio-shots-")
    settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("faces/db", str(Path(scratch.name) / "faces.db"))  # nor create or read the user's face database
    settings.setValue("language", lang)
    window = MainWindow(panel_classes=classes, settings=settings)
    window._quiet_dialogs = True
    window.set_theme(theme)
    window.resize(*size)
    window.show()
    app.processEvents()
    if (window.width(), window.height()) != tuple(size):
        low = window.minimumSizeHint()
        window.close()
        scratch.cleanup()
        raise ValueError(_("the window cannot be {w}x{h}: its smallest size is {mw}x{mh}").format(w=size[0], h=size[1], mw=low.width(), mh=low.height()))
    shots: list[tuple[type | None, str, str]] = []  # (panel class, file stem, course section or example id)
    if examples:
        from engine.course import EXAMPLES

        known_examples = [e.id for e in EXAMPLES]
        for eid in known_examples if examples == ["all"] else examples:
            if eid in known_examples:
                shots.append((None, f"example-{eid}", eid))
            else:
                results[f"example-{eid}"] = "unknown example; see convstudio course show SECTION"
    for cls in classes if not examples else []:
        if only and cls.panel_id not in only:
            continue
        if cls.panel_id == "course" and sections:
            from engine.course import section_ids

            wanted = section_ids() if sections == ["all"] else sections
            for sid in wanted:
                if sid not in section_ids():
                    results[f"course-{sid}"] = f"unknown section; known: {', '.join(section_ids())}"
                else:
                    shots.append((cls, f"course-{sid}", sid))
        else:
            shots.append((cls, cls.panel_id, ""))
    for cls, stem, sid in shots:
        path = out_dir / f"{stem}.png"
        try:
            if cls is None:  # a worked example: "Show me" puts its panel into the example's state
                if not window.open_example(sid):
                    raise RuntimeError("the example's panel cannot show it")
                panel = window.current_panel()
            else:
                window.switch_to(cls.panel_id)
                panel = window.panel(cls.panel_id)
                if sid:
                    panel.select_section(sid)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                app.processEvents()
                if panel.screenshot_ready() and not window.jobs.active():
                    break
                time.sleep(0.02)
            for _i in range(5):
                app.processEvents()
            if (window.width(), window.height()) != tuple(size):  # a panel must not widen the window
                window.resize(*size)
                app.processEvents()
            image = window.grab().toImage()
            if (image.width(), image.height()) != tuple(size):
                raise RuntimeError(_("the window grew to {w}x{h}").format(w=image.width(), h=image.height()))
            if image.isNull():
                raise RuntimeError("could not grab the window")
            save_png(image, path)
            results[stem] = "ok"
        except OSError as exc:
            results[stem] = describe_os_error(exc, path)
        except Exception as exc:  # report and go on with the other panels
            results[stem] = f"{type(exc).__name__}: {exc}"
    window.close()
    QApplication.processEvents()
    scratch.cleanup()
    return results


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        from engine.cli import say_error

        say_error(_("--size must look like 1280x800, not {value}").format(value=repr(args.size)))
        return 2
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        from engine.cli import say_error

        say_error(_("--size must be between 1x1 and {m}x{m}, not {size}").format(m=MAX_SIDE, size=args.size))
        return 2
    if args.lang == "zh_CN":
        from .app import ensure_app
        from .i18n import CJK_FONT_HINT, chinese_font_family

        ensure_app()
        if chinese_font_family() is None:
            from engine.cli import say_error

            say_error(CJK_FONT_HINT)  # in English on purpose: without a Chinese font, Chinese would be boxes
    try:
        results = render_panels(Path(args.dir), (w, h), args.only, args.theme, lang=args.lang, sections=args.section, examples=args.example)
    except ValueError as exc:
        from engine.cli import say_error

        say_error(exc)
        return 2
    failed = {k: v for k, v in results.items() if v != "ok"}
    for panel_id, state in results.items():
        print(f"{panel_id:<16} {'written' if state == 'ok' else 'FAILED: ' + state}")
    return 1 if failed or not results else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `screenshots` subcommand(s) to the command line."""
    p = sub.add_parser("screenshots", help=_("render every panel to DIR/<panel>.png offscreen"))
    p.add_argument("dir")
    p.add_argument("--size", default="1280x800", help=_("window size, WIDTHxHEIGHT (default 1280x800, at most {side}x{side})").format(side=MAX_SIDE))
    p.add_argument("--only", nargs="+", metavar="PANEL", help=_("render only these panel ids"))
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en", help=_("interface language (default en)"))
    p.add_argument("--section", nargs="+", metavar="SECTION",
                   help=_("course section ids to render as course-<section>.png ('all': every section; see convstudio course list)"))
    p.add_argument("--example", nargs="+", metavar="EXAMPLE_ID",
                   help=_("worked examples to render as example-<id>.png after Show me ('all': every example; ids: convstudio course show SECTION)"))
    p.set_defaults(func=_run)
