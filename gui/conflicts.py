"""ConvStudio's two import packages have generic names, ``engine`` and ``gui``; make sure both are ours.

Another distribution that installs a top-level ``engine`` or ``gui`` package into the same environment
shadows ours, or pip mixes its files into the same folder. At start-up :func:`conflict` compares each
package with the marker ConvStudio puts in it, and names the other distribution in one line. Cheap when
all is well (two attribute reads); the installed distributions are only searched to name a culprit.
"""

from __future__ import annotations

import importlib
import sys
from typing import Callable

__all__ = ["PACKAGES", "check_or_exit", "conflict", "owners"]

#: ConvStudio's top-level import packages; each has ``__distribution__ = "convstudio"``.
PACKAGES = ("engine", "gui")


def owners(name: str) -> list[str]:
    """Installed distributions other than ConvStudio that provide the top-level package ``name``."""
    from importlib.metadata import packages_distributions

    try:
        found = packages_distributions().get(name, [])
    except Exception:  # broken metadata somewhere in the environment: nothing to name
        return []
    return sorted({d for d in found if d.lower() != "convstudio"})


def conflict(import_module: Callable[[str], object] = importlib.import_module,
             find_owners: Callable[[str], list[str]] = owners) -> str:
    """One line naming a package that is not ConvStudio's (and who installed it); "" when both are ours."""
    for name in PACKAGES:
        try:
            module = import_module(name)
        except Exception as exc:  # noqa: BLE001 - whatever breaks here, say it in one line
            return (f"convstudio: the '{name}' package cannot be imported ({type(exc).__name__}: {exc}); "
                    "reinstall ConvStudio")
        if getattr(module, "__distribution__", None) == "convstudio":
            continue
        where = getattr(module, "__file__", None) or "?"
        others = find_owners(name)
        by = f", installed by {', '.join(others)}" if others else ""
        return (f"convstudio: the '{name}' package at {where} is not ConvStudio's{by}. Both use the name '{name}': "
                f"install ConvStudio in its own virtual environment (or with pipx), or uninstall the other one")
    return ""


def check_or_exit() -> None:
    """Exit with the line from :func:`conflict` when there is one."""
    problem = conflict()
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(1)
