"""Exported augmentation code does not need ConvStudio's .py files at run time (a frozen bundle has only bytecode)."""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys

from cli_process import ROOT, _env

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import engine.augment as augment
from engine.augment import AugmentConfig, to_code
assert augment.__file__.endswith(".pyc"), augment.__file__
config = AugmentConfig(colour_shift=True, colour_offset=30.0, pca=True, pca_std=0.2, hand_shift=True,
                       hand_offsets=(20.0, -20.0, 20.0))
code = to_code(config, (32, 32))
namespace = {}
exec(code, namespace)
print(sorted(k for k in ("ColourShift", "ChannelOffsets", "PCALighting") if k in namespace))
"""


def test_to_code_works_from_bytecode_only(tmp_path):
    shutil.copytree(ROOT / "engine", tmp_path / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    assert compileall.compile_dir(tmp_path / "engine", quiet=1, legacy=True)
    for source in (tmp_path / "engine").rglob("*.py"):
        source.unlink()
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[0] == "['ChannelOffsets', 'ColourShift', 'PCALighting']"


def test_the_exported_classes_are_the_ones_the_app_runs():
    """The text "Copy code" writes is the very source the app's transforms were compiled from."""
    import linecache

    from engine import augment

    config = augment.AugmentConfig(colour_shift=True, pca=True, hand_shift=True, hand_offsets=(5.0, 0.0, 0.0))
    code = augment.to_code(config, (32, 32))
    for cls, text, exported in ((augment.ChannelOffsets, augment._CHANNEL_OFFSETS_SOURCE, "ChannelOffsets"),
                                (augment._FixedColourShift, augment._FIXED_COLOUR_SHIFT_SOURCE, "ColourShift"),
                                (augment.PCALighting, augment._PCA_LIGHTING_SOURCE, "PCALighting")):
        filename = cls.forward.__code__.co_filename
        assert filename == f"<engine.augment {cls.__name__}>"
        assert "".join(linecache.getlines(filename)) == text  # tracebacks show these lines
        assert cls.__module__ == "engine.augment"
        body = text.split("\n", 1)[1]
        assert f"class {exported}(torch.nn.Module):\n" + body.rstrip() in code
