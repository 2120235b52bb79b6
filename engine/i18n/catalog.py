"""Catalogue tooling: extract the texts to translate, check the translations, compile the ``.mo``.

Run from the project root (needs Babel, installed with the ``test`` extra)::

    python -m engine.i18n.catalog check              # what is untranslated, stale or malformed
    python -m engine.i18n.catalog missing [PATH…]     # .po stubs for untranslated texts (of PATHs)
    python -m engine.i18n.catalog compile            # write engine/i18n/<lang>/LC_MESSAGES/convstudio.mo
    python -m engine.i18n.catalog pot                # write engine/i18n/convstudio.pot (all source texts)

Sources: every ``_("…")`` and ``N_("…")`` in ``engine/`` and ``gui/``. Translations: every ``.po`` in
``engine/i18n/<lang>/`` (one file per area; a text may appear in several only with one translation).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_write
from . import DOMAIN, LANGUAGES, DEFAULT_LANGUAGE, catalogue_dir, reload_catalogues

__all__ = ["extract", "load_translations", "compile_mo", "check", "Problem", "mo_path", "main"]

ROOT = catalogue_dir().parents[1]
SOURCE_DIRS = ("engine", "gui")
KEYWORDS = {"_": None, "N_": None}
_FIXED_DATE = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


@dataclass
class Problem:
    """One thing wrong with a catalogue: ``kind`` (untranslated, fields, conflict, stale, fstring) and detail."""

    kind: str
    message: str
    locations: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = f"  [{', '.join(self.locations[:3])}]" if self.locations else ""
        return f"{self.kind}: {self.message}{where}"


def extract(paths: list[Path] | None = None) -> dict[str, list[str]]:
    """Every translatable source text → its locations (``file:line``), from ``engine/`` and ``gui/``."""
    from babel.messages.extract import extract_from_file

    files: list[Path] = []
    if paths:
        for p in paths:
            p = Path(p)
            files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    else:
        for d in SOURCE_DIRS:
            files.extend(sorted((ROOT / d).rglob("*.py")))
    found: dict[str, list[str]] = {}
    for f in files:
        rel = f.resolve().relative_to(ROOT) if f.resolve().is_relative_to(ROOT) else f
        for lineno, message, _comments, _ctx in extract_from_file("python", str(f), keywords=KEYWORDS):
            if isinstance(message, tuple):
                message = message[0]
            if message:
                found.setdefault(message, []).append(f"{rel}:{lineno}")
    return found


def _po_files(lang: str) -> list[Path]:
    return sorted((catalogue_dir() / lang).glob("*.po"))


def load_translations(lang: str) -> tuple[dict[str, str], list[Problem]]:
    """Merge the ``.po`` files of ``lang``: msgid → msgstr, plus conflicts between files."""
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    for po in _po_files(lang):
        with open(po, "rb") as fh:
            cat = read_po(fh, locale=lang)
        for msg in cat:
            if not msg.id or isinstance(msg.id, tuple):
                continue
            text = msg.string if isinstance(msg.string, str) else (msg.string[0] if msg.string else "")
            if not text:
                continue
            if msg.id in merged and merged[msg.id] != text:
                problems.append(Problem("conflict", f"{msg.id!r}: {origin[msg.id]} says {merged[msg.id]!r}, {po.name} says {text!r}"))
                continue
            merged[msg.id] = text
            origin[msg.id] = po.name
    return merged, problems


def mo_path(lang: str) -> Path:
    """Where the compiled catalogue of ``lang`` lives."""
    return catalogue_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_mo(lang: str) -> bytes:
    """The ``.mo`` bytes for ``lang`` (deterministic: same sources, same bytes)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    merged, _problems = load_translations(lang)
    cat = Catalog(locale=lang, domain=DOMAIN, project="ConvStudio", version="1",
                  creation_date=_FIXED_DATE, revision_date=_FIXED_DATE, charset="utf-8")
    for msgid in sorted(merged):
        cat.add(msgid, merged[msgid])
    buf = io.BytesIO()
    write_mo(buf, cat)
    return buf.getvalue()


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed braces>"}


def _fstring_calls() -> list[str]:
    """Calls of ``_`` on an f-string: never translatable, so always a mistake."""
    import re

    pattern = re.compile(r"\bN?_\(\s*[rRbB]?[fF]['\"]")
    hits = []
    for d in SOURCE_DIRS:
        for f in sorted((ROOT / d).rglob("*.py")):
            for lineno, line in enumerate(f.read_text("utf-8").splitlines(), 1):
                if pattern.search(line):
                    hits.append(f"{f.relative_to(ROOT)}:{lineno}")
    return hits


def check(lang: str = "zh_CN", paths: list[Path] | None = None) -> list[Problem]:
    """Everything that keeps ``lang`` from being complete and correct (empty list: all good)."""
    sources = extract(paths)
    merged, problems = load_translations(lang)
    for msgid, where in sorted(sources.items()):
        if msgid not in merged:
            problems.append(Problem("untranslated", repr(msgid), where))
        elif _fields(msgid) != _fields(merged[msgid]):
            problems.append(Problem("fields", f"{msgid!r} → {merged[msgid]!r}: fields differ", where))
    for msgid, text in merged.items():
        if msgid not in sources and _fields(msgid) != _fields(text):
            problems.append(Problem("fields", f"{msgid!r} → {text!r}: fields differ"))
    for hit in _fstring_calls():
        problems.append(Problem("fstring", "an f-string inside _() cannot be translated", [hit]))
    if paths is None:
        mo = mo_path(lang)
        if not mo.exists() or mo.read_bytes() != compile_mo(lang):
            problems.append(Problem("stale", f"{mo.relative_to(ROOT)} does not match the .po files: run python -m engine.i18n.catalog compile"))
    return problems


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def main(argv: list[str] | None = None) -> int:
    """Command line of the catalogue tooling (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m engine.i18n.catalog", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["check", "missing", "compile", "pot"])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--lang", default="zh_CN", choices=[c for c in LANGUAGES if c != DEFAULT_LANGUAGE])
    args = parser.parse_args(argv)
    if args.action == "compile":
        data = compile_mo(args.lang)
        out = mo_path(args.lang)
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(out, "wb") as fh:  # a truncated catalogue would break every translated text
            fh.write(data)
        reload_catalogues()
        print(f"wrote {out.relative_to(ROOT)} ({len(load_translations(args.lang)[0])} texts)")
        return 0
    if args.action == "pot":
        out = catalogue_dir() / f"{DOMAIN}.pot"
        lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
        for msgid, where in sorted(extract(args.paths or None).items()):
            lines += [f"#: {' '.join(where)}", f'msgid "{_po_escape(msgid)}"', 'msgstr ""', ""]
        with atomic_write(out, "w") as fh:
            fh.write("\n".join(lines))
        print(f"wrote {out.relative_to(ROOT)}")
        return 0
    if args.action == "missing":
        merged, _p = load_translations(args.lang)
        for msgid, where in sorted(extract(args.paths or None).items()):
            if msgid not in merged:
                print(f"#: {' '.join(where[:3])}\nmsgid \"{_po_escape(msgid)}\"\nmsgstr \"\"\n")
        return 0
    problems = check(args.lang, args.paths or None)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" if problems else "catalogue complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
