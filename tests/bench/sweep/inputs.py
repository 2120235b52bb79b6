"""The hostile inputs: broken images, model files with pickle payloads, graphs that map a victim file or
call an unknown operator, and real and broken face databases."""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from .cases import ROOT, limit_child
from .checks import VICTIM

__all__ = ["build_inputs", "build_graph_payloads", "build_face_dbs"]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, rows: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(rows))
            + _png_chunk(b"IEND", b""))


def build_inputs(tmp: Path) -> dict[str, Path]:
    """Write every hostile input; returns name -> path."""
    import cv2
    import numpy as np
    import torch
    from skimage import data as skdata

    from engine.style.fast import TransformerNet, save_transformer

    rng = np.random.default_rng(0)
    d = tmp / "in"
    d.mkdir()
    p: dict[str, Path] = {}

    photo = cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR)
    small = cv2.resize(photo, (96, 96))
    cv2.imwrite(str(d / "good.png"), small)
    cv2.imwrite(str(d / "face.png"), photo)
    p["good"] = d / "good.png"
    p["face"] = d / "face.png"
    png = (d / "good.png").read_bytes()
    ok, jpg = cv2.imencode(".jpg", small)
    jpg = jpg.tobytes()

    images = {
        "empty.png": b"",
        "random.png": rng.bytes(4096),
        "random.jpg": rng.bytes(4096),
        "trunc.png": png[: len(png) // 2],
        "trunc.jpg": jpg[: len(jpg) // 2],
        "one.png": _png(1, 1, b"\x00\x80\x80\x80"),
        # declares 100000×100000 but carries one row of data
        "huge.png": _png(100000, 100000, b"\x00" + b"\x00" * 300),
        "text.png": b"this is not an image\n" * 10,
    }
    for name, blob in images.items():
        (d / name).write_bytes(blob)
        p["img:" + name] = d / name
    (d / "x.png").mkdir()
    p["img:x.png(dir)"] = d / "x.png"

    # model files
    m = tmp / "models"
    m.mkdir()
    marker = tmp / "PWNED"
    p["marker"] = marker

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"state_dict": Payload()}, m / "reduce_zip.pth")
    (m / "reduce_legacy.pth").write_bytes(pickle.dumps({"model": Payload()}, protocol=2))
    (m / "garbage.pth").write_bytes(rng.bytes(20000))
    save_transformer(TransformerNet(), m / "style.pth")
    p["style"] = m / "style.pth"
    blob = (m / "style.pth").read_bytes()
    (m / "trunc_zip.pth").write_bytes(blob[: len(blob) // 2])
    torch.save(torch.nn.Linear(4, 3).state_dict(), m / "wrong_arch.pth")
    torch.jit.save(torch.jit.script(torch.nn.Linear(4, 3)), m / "wrong_arch_script.pt")
    for f in ["reduce_zip.pth", "reduce_legacy.pth", "garbage.pth", "trunc_zip.pth", "wrong_arch.pth",
              "wrong_arch_script.pt"]:
        p["model:" + f] = m / f
    return p


def _graph_payload_classes():
    """Modules whose graphs use what ConvStudio's operator allowlist refuses (built lazily: torch loads slowly)."""
    import torch
    from torch import nn

    class MapsAFile(nn.Module):
        def __init__(self, path: str):
            super().__init__()
            self.path = path
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x):  # unannotated: Tensor (annotations here are strings torch cannot resolve)
            y = torch.from_file(self.path, shared=True, size=16, dtype=torch.uint8).fill_(35)
            return self.conv(x) + y[0].float() * 0

    class MapsAFileExported(MapsAFile):
        def forward(self, x):
            y = torch.ops.aten.fill_.Scalar(torch.ops.aten.from_file.default(self.path, True, 16, dtype=torch.uint8), 35)
            return self.conv(x) + y[0].float() * 0

    class MapsAFileWhileLoading(nn.Module):
        def __init__(self, path: str):
            super().__init__()
            self.path = path
            self.k = 0

        def forward(self, x):
            return x + self.k

        @torch.jit.export
        def __getstate__(self) -> tuple[str, bool]:
            return (self.path, self.training)

        @torch.jit.export
        def __setstate__(self, state: tuple[str, bool]) -> None:
            self.path = state[0]
            self.training = state[1]
            self.k = int(torch.from_file(self.path, shared=True, size=16, dtype=torch.uint8).fill_(36)[0]) * 0

    class UnknownNamespace(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x):
            return torch.ops.sweep_payload.touch(self.conv(x))

    return MapsAFile, MapsAFileExported, MapsAFileWhileLoading, UnknownNamespace


def build_graph_payloads(tmp: Path, p: dict[str, Path]) -> None:
    """Model files whose graphs map a victim file (from_file), run code while loading (__setstate__), call an
    operator of an unknown namespace (its kernel would create the marker file) or hold a custom class."""
    import torch
    from torch import nn

    MapsAFile, MapsAFileExported, MapsAFileWhileLoading, UnknownNamespace = _graph_payload_classes()
    g = tmp / "graphs"
    g.mkdir()
    victim = g / "victim.txt"
    victim.write_bytes(VICTIM)
    p["victim"] = victim
    marker = p["marker"]

    @torch.library.custom_op("sweep_payload::touch", mutates_args=(), schema="(Tensor x) -> Tensor")
    def touch(x):
        marker.write_text("an operator from a model file ran")
        return x.clone()

    touch.register_fake(lambda x: torch.empty_like(x))
    x = torch.zeros(1, 1, 8, 8)
    torch.jit.script(MapsAFile(str(victim))).save(str(g / "ts_from_file.pt"))
    torch.jit.script(MapsAFileWhileLoading(str(victim))).save(str(g / "ts_setstate.pt"))
    torch.jit.script(UnknownNamespace()).save(str(g / "ts_namespace.pt"))
    engines = torch.backends.quantized.supported_engines
    torch.backends.quantized.engine = next(e for e in ("fbgemm", "x86", "qnnpack") if e in engines)
    quantized = torch.ao.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 4)), {nn.Linear}, dtype=torch.qint8)
    torch.jit.script(quantized).save(str(g / "ts_custom_class.pt"))
    torch.export.save(torch.export.export(UnknownNamespace(), (x,)), str(g / "pt2_namespace.pt2"))
    lib = torch.library.Library("aten", "IMPL")  # a shape rule, so that export can record aten::from_file

    def meta(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=None):
        return torch.empty(size, dtype=dtype, device="meta")

    lib.impl("from_file", meta, "Meta")
    try:
        torch.export.save(torch.export.export(MapsAFileExported(str(victim)), (x,)), str(g / "pt2_from_file.pt2"))
    finally:
        lib._destroy()
    for f in sorted(g.iterdir()):
        if f.name != "victim.txt":
            p["graph:" + f.name] = f
    if victim.read_bytes() != VICTIM:
        raise RuntimeError("building the graph payloads wrote the victim file")


def build_face_dbs(tmp: Path, p: dict[str, Path], env: dict[str, str]) -> None:
    """A real database (one person enrolled from the astronaut photo) and broken ones."""
    import sqlite3

    f = tmp / "faces"
    f.mkdir()
    real = f / "real.db"
    r = subprocess.run([sys.executable, "-m", "gui.main", "--device", "cpu", "faces", "--db", str(real),
                        "--detector", "haar", "enroll", "eileen", str(p["face"])],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, preexec_fn=limit_child)
    if r.returncode != 0:
        print("warning: could not enroll into the reference database:", r.stderr.strip()[-300:], file=sys.stderr)
    subprocess.run([sys.executable, "-m", "gui.main", "faces", "--db", str(real), "export", str(f / "export.db")],
                   cwd=ROOT, env=env, capture_output=True, timeout=120, preexec_fn=limit_child)
    p["db:real"] = real
    p["db_export"] = f / "export.db"
    (f / "garbage.db").write_bytes(os.urandom(8192))
    p["db:garbage"] = f / "garbage.db"
    blob = real.read_bytes() if real.exists() else b""
    (f / "trunc.db").write_bytes(blob[: max(len(blob) // 3, 100)])
    p["db:trunc"] = f / "trunc.db"
    con = sqlite3.connect(f / "other.db")
    con.execute("create table people (id integer, shoe_size real)")
    con.execute("insert into people values (1, 42.5)")
    con.commit()
    con.close()
    p["db:other_schema"] = f / "other.db"
    ro = f / "readonly.db"
    if real.exists():
        shutil.copy(real, ro)
    ro.chmod(0o400)
    p["db:readonly"] = ro
    locked = f / "locked"
    locked.mkdir()
    if real.exists():
        shutil.copy(real, locked / "faces.db")
    locked.chmod(0o000)
    p["db:no_perm_folder"] = locked / "faces.db"


