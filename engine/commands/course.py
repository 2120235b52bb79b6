"""``convstudio course``: the course's sections, pages, worked-example checks, exercises and glossary."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..i18n import _

__all__ = ["register"]


def _dump(obj: Any) -> None:
    # the course is bilingual: keep Chinese readable in JSON
    print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)


def _list(args: argparse.Namespace) -> int:
    from ..course.view import display_title, outline

    parts = outline()
    if args.json:
        _dump(parts)
        return 0
    for p in parts:
        print(display_title(p["title_zh"], p["title_en"]))
        for s in p["sections"]:
            print(f"  {s['id']:<18} {display_title(s['title_zh'], s['title_en'])}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from ..course.view import display_title, section_view

    v = section_view(args.section)
    if args.json:
        _dump(v)
        return 0
    print(display_title(v["title_zh"], v["title_en"]) + "\n")
    print(v["idea"])
    if v["formulas"]:
        print()
        for f in v["formulas"]:
            print(f"    {f}")
    if v["examples"]:
        print("\n" + _("Worked examples:"))
        for e in v["examples"]:
            title = e["panel"].replace("_", " ").capitalize()  # the panel's name in the sidebar (its id in English)
            panel = _(title) if _(title) != title else e["panel"]
            print(_("  {id} ({panel}): {description}").format(id=e["id"], panel=panel, description=e["description"]))
    for e in v["errata"]:
        print("\n" + _("Erratum — the note says: {says}").format(says=e["says"]))
        print(_("Correct: {correct}").format(correct=e["correct"]))
        if e["example"]:
            print(_("See example: {id}").format(id=e["example"]))
    print("\n" + _("Exercise: convstudio course exercise {id}").format(id=v["id"]))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..course import EXAMPLES, check_all, example

    chosen = [example(i) for i in args.example] if args.example else list(EXAMPLES)
    rows = check_all(chosen)
    bad = [r for r in rows if not r.ok]
    if args.json:
        _dump({"ok": not bad, "rows": [r.to_dict() for r in rows], "failed": len(bad), "total": len(rows)})
    else:
        for r in rows:
            mark = _("ok  ") if r.ok else _("FAIL")
            line = _("{mark} {example} {name}: expected {expected}, computed {computed}").format(
                mark=mark, example=r.example, name=r.name, expected=r.expected, computed=r.computed)
            print(line + (f"  ({r.reason})" if r.reason and not r.ok else ""))
        print(_("{ok} of {total} numbers agree with the course.").format(ok=len(rows) - len(bad), total=len(rows)))
    return 1 if bad else 0


def _exercise(args: argparse.Namespace) -> int:
    from ..course import make_exercise
    from ..course.progress import Progress

    seed = args.seed
    if seed is None:  # fresh numbers each time; the seed is printed so the exercise can be repeated
        import secrets

        seed = secrets.randbelow(1_000_000)
    ex = make_exercise(args.section, seed)
    verdict = ex.check(args.answer) if args.answer is not None else None
    if verdict is not None:
        Progress().record(ex.section, ex.seed, verdict.ok)
    if args.json:
        d = ex.to_dict()
        if verdict is not None:
            d["verdict"] = {"ok": verdict.ok, "message": verdict.message}
        _dump(d)
    else:
        print(_("Exercise {section}, seed {seed}").format(section=ex.section, seed=ex.seed))
        print(ex.prompt)
        if verdict is not None:
            print(verdict.message)
        print(_("Answer: {answer}").format(answer=ex.answer_text))
        print(_("Solution: {solution}").format(solution=ex.solution))
    return 1 if verdict is not None and not verdict.ok else 0


def _glossary(args: argparse.Namespace) -> int:
    from ..course import search_glossary

    hits = search_glossary(args.text or "")
    if args.json:
        _dump([{"en": e.en, "zh": e.zh, "note": _(e.note) if e.note else ""} for e in hits])
        return 0
    if not hits:
        print(_("No term matches '{text}'.").format(text=args.text), file=sys.stderr)
        return 1
    for e in hits:
        print(f"{e.en} — {e.zh_text}" + (_("  ({note})").format(note=_(e.note)) if e.note else ""))
    return 0


def _progress(args: argparse.Namespace) -> int:
    from ..course import SECTIONS
    from ..course.progress import Progress

    prog = Progress()
    if args.reset:
        prog.reset()
        print(_("Course progress cleared."))
        return 0
    if args.json:
        _dump({s.id: {"solved": prog.solved(s.id), "attempts": prog.attempts(s.id)} for s in SECTIONS})
        return 0
    for s in SECTIONS:
        print(_("{id}: {solved} solved, {attempts} checked").format(id=s.id, solved=prog.solved(s.id), attempts=prog.attempts(s.id)))
    return 0


def _guarded(func):
    def run(args: argparse.Namespace) -> int:
        from ..course import UnknownSection
        from ..course.examples import UnknownExample

        try:
            return func(args)
        except BrokenPipeError:  # the reader of stdout went away (| head): the command line ends quietly
            raise
        except (UnknownSection, UnknownExample, ValueError, OSError) as exc:
            from ..cli import say_error

            say_error(exc)
            return 2

    return run


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `course` subcommands to the command line."""
    p = sub.add_parser("course", help=_("the course: sections, worked examples, exercises, glossary"))
    cs = p.add_subparsers(dest="course_command", metavar="ACTION", required=True)

    q = cs.add_parser("list", help=_("the sections in course order"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_list))

    q = cs.add_parser("show", help=_("one section's page: idea, formulas, examples, errata"))
    q.add_argument("section", help=_("section id (see 'course list')"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_show))

    q = cs.add_parser("check", help=_("recompute every worked example; exit 1 if any number differs"))
    q.add_argument("example", nargs="*", help=_("example ids (default: all)"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_check))

    q = cs.add_parser("exercise", help=_("an exercise with fresh numbers, and its solution"))
    q.add_argument("section", help=_("section id (see 'course list')"))
    q.add_argument("--seed", type=int, default=None, help=_("which numbers (default: new ones each time)"))
    q.add_argument("--answer", default=None, help=_("check this answer and record it in your progress"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_exercise))

    q = cs.add_parser("glossary", help=_("terms in English and Chinese"))
    q.add_argument("text", nargs="?", default="", help=_("search text, in either language"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_glossary))

    q = cs.add_parser("progress", help=_("exercises answered correctly per section"))
    q.add_argument("--reset", action="store_true", help=_("forget all progress"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_guarded(_progress))
