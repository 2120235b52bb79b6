"""``convstudio info``: versions, compute device and data locations."""

from __future__ import annotations

import argparse
import platform

from ..i18n import N_, _

#: What each line of ``info`` is, in words (library names stay as they are).
_LABELS = {
    "cuda_available": N_("CUDA available"), "device_preference": N_("device preference"), "device": N_("device"),
    "device_name": N_("device name"), "data_dir": N_("data folder"), "weights_dir": N_("weights folder"),
    "trained_dir": N_("trained models folder"), "config_dir": N_("settings folder"), "log_dir": N_("log folder"),
    "platform": N_("platform"),
}

__all__ = ["register", "collect_info"]


def collect_info() -> dict:
    """Versions of the stack, the device in use, and where data lives."""
    import cv2
    import numpy
    import torch
    import torchvision

    from .. import __version__
    from ..device import device_label, get_device, get_preference
    from ..paths import config_dir, data_dir, log_dir, trained_dir, weights_dir

    return {
        "convstudio": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda": torch.version.cuda if torch.cuda.is_available() else None,
        "cuda_available": torch.cuda.is_available(),
        "opencv": cv2.__version__,
        "numpy": numpy.__version__,
        "device_preference": get_preference(),
        "device": str(get_device()),
        "device_name": device_label(),
        "data_dir": str(data_dir()),
        "weights_dir": str(weights_dir()),
        "trained_dir": str(trained_dir()),
        "config_dir": str(config_dir()),
        "log_dir": str(log_dir()),
    }


def _run(args: argparse.Namespace) -> int:
    from ..cli import print_json

    info = collect_info()
    if args.json:
        print_json(info)
    else:
        from ..tables import format_table

        def shown(value):
            if isinstance(value, bool):
                return _("yes") if value else _("no")
            return "-" if value is None else value

        for line in format_table([(_(_LABELS.get(k, k)), shown(v)) for k, v in info.items()]):
            print(line)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `info` subcommand(s) to the command line."""
    p = sub.add_parser("info", help=_("versions, device and data paths"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p.set_defaults(func=_run)
