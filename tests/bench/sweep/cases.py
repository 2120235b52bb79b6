"""The sweep's types (``Case``, ``Result``) and what every child run shares: the repository root, the
address-space cap, the error-line allowance and the no-permission-override prefix."""

from __future__ import annotations

import resource
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["ROOT", "ADDRESS_SPACE", "MAX_ERR_LINES", "RECIPE", "NO_DAC", "Case", "Result", "limit_child"]

ROOT = Path(__file__).resolve().parents[3]

ADDRESS_SPACE = 6 * 2**30
MAX_ERR_LINES = 3  # an error is one line; allow a warning or two around it
RECIPE: set[str] = set()  # filled in main() from engine.arch.user_model.EXPORT_HELP
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


@dataclass
class Case:
    """One run: ``args`` after ``convstudio --device cpu``; optional hooks."""

    group: str
    name: str
    args: list[str]
    timeout: float = 60
    no_dac: bool = False  # run without root's permission override
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[], str] | None = None  # returns a problem text or ""
    special: str = ""  # "pipe", "sigint", "sigterm"
    setup: Callable[[], None] | None = None
    nonzero: bool | None = True  # True: must fail with a message; False: must succeed; None: either


@dataclass
class Result:
    case: Case
    rc: int | None
    traceback: bool
    err_lines: int
    elapsed: float
    timed_out: bool
    problems: list[str]
    tail: str


def limit_child() -> None:
    """Run in each child before it starts: the address-space cap and a default SIGINT."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    # a sweep started in the background inherits an ignored SIGINT, and Python then never turns
    # Ctrl+C into KeyboardInterrupt: give the child what a terminal gives it
    signal.signal(signal.SIGINT, signal.SIG_DFL)


