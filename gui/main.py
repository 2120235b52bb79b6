"""Entry point of ``convstudio``: the app with no arguments, the CLI otherwise."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ConvStudio. ``argv`` defaults to ``sys.argv[1:]``."""
    from .conflicts import check_or_exit

    check_or_exit()  # 'engine' and 'gui' are generic names: both must be ConvStudio's
    from engine.cli import build_parser, error_line, run, use_command_line_language
    from engine.stored import notices_to_stderr

    notices_to_stderr(error_line)  # a damaged stored file or catalogue is said in one line (the window takes over later)
    from . import desktop, open_example, screenshots

    argv = list(sys.argv[1:] if argv is None else argv)
    use_command_line_language()  # CONVSTUDIO_LANG, else the system locale: --help and errors included
    parser = build_parser(extra=[screenshots.register, open_example.register, desktop.register])
    args = parser.parse_args(argv)
    if args.command is None:
        if args.device:
            from engine.device import set_preference

            try:
                set_preference(args.device)
            except ValueError as exc:  # the same one line as with a command
                from engine.cli import say_error

                say_error(exc)
                return 2
        from engine.stored import set_notice_handler

        from .app import run_app

        set_notice_handler(None)  # the window shows what comes now in its status bar
        return run_app()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
