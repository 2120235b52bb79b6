"""Model manager: the registry of known pretrained weights, and their cache.

Weights are downloaded only when the user asks (:func:`download`, a job with
progress and cancel), verified against their published SHA-256 prefix, and
kept in :func:`engine.paths.weights_dir`. A user can also import a weights
file they already have (:func:`import_file`): it is loaded with
its pickles are inspected without running them, then it is loaded with
``torch.load(..., weights_only=True)`` -- never an unrestricted unpickle -- and
must fit the architecture before it is copied into the cache.

Every weights load in ConvStudio goes through :func:`safe_load`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from .i18n import N_, _, join_list
from .jobs import Job, Progress
from .files import atomic_write, describe_os_error
from .paths import weights_dir
from .safe_files import RefusedFile, check_weights_file

__all__ = [
    "UNKNOWN_SIZE_LIMIT",
    "download_limit",
    "check_free_space",
    "WeightsEntry",
    "WeightsError",
    "WeightsMissing",
    "REGISTRY",
    "register",
    "entries",
    "get_entry",
    "status",
    "installed_path",
    "download",
    "import_file",
    "verify",
    "safe_load",
    "load_state_dict",
    "load_model",
    "sha256_file",
]

STATUS_INSTALLED = "installed"
STATUS_IMPORTED = "imported"
STATUS_MISSING = "missing"
STATUS_CORRUPT = "corrupt"


class WeightsError(RuntimeError):
    """A weights file could not be downloaded, verified, imported or loaded."""


class WeightsMissing(WeightsError):
    """The weights for an entry are not installed; offer the download."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            _("The pretrained weights '{name}' are not installed. Download them in the Models panel "
              "or with: convstudio models download {name}").format(name=name)
        )


@dataclass(frozen=True)
class WeightsEntry:
    """One known set of pretrained weights.

    builder() returns the architecture with random weights (no download);
    ``sha256_prefix`` is the leading hex digits of the file's SHA-256 as
    published in its file name (torchvision's convention).
    """

    name: str
    task: str
    arch: str
    builder: Callable[[], torch.nn.Module] = field(repr=False, compare=False)
    url: str
    size_mb: float
    sha256_prefix: str
    license: str
    source: str
    description: str = ""

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


REGISTRY: dict[str, WeightsEntry] = {}
_lock = threading.Lock()


def register(entry: WeightsEntry) -> WeightsEntry:
    """Add an entry to the registry (feature modules call this at import)."""
    REGISTRY[entry.name] = entry
    return entry


def _torchvision_entry(name: str, task: str, arch: str, weights_enum: str, description: str, **build_kwargs) -> None:
    import torchvision

    weights = torchvision.models.get_weight(weights_enum)
    url = weights.url
    match = re.search(r"-([0-9a-f]{6,})\.[a-z]+$", url)
    prefix = match.group(1) if match else ""
    size_mb = float(weights.meta.get("_file_size", 0.0))
    # Whole sentences, so the Models panel can show them translated (``_(entry.license)``).
    meta_license = (N_("BSD-3-Clause (torchvision); trained on COCO") if task == "detection"
                    else N_("BSD-3-Clause (torchvision); trained on ImageNet-1k"))

    def build() -> torch.nn.Module:
        kwargs = dict(build_kwargs)
        if task == "detection":
            kwargs.setdefault("weights_backbone", None)
            kwargs.setdefault("num_classes", len(weights.meta["categories"]))
        return torchvision.models.get_model(arch, weights=None, **kwargs)

    register(
        WeightsEntry(
            name=name,
            task=task,
            arch=arch,
            builder=build,
            url=url,
            size_mb=size_mb,
            sha256_prefix=prefix,
            license=meta_license,
            source=f"torchvision.models.{weights_enum}",
            description=description,
        )
    )


def _register_builtin() -> None:
    detection = [
        ("ssdlite320_mobilenet_v3_large", "SSDLite320_MobileNet_V3_Large_Weights.COCO_V1", N_("SSDlite 320, MobileNetV3: real time on CPU")),
        ("fasterrcnn_mobilenet_v3_large_320_fpn", "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1", N_("Faster R-CNN, MobileNetV3 at 320 px: fast")),
        ("fasterrcnn_mobilenet_v3_large_fpn", "FasterRCNN_MobileNet_V3_Large_FPN_Weights.COCO_V1", N_("Faster R-CNN, MobileNetV3 at 800 px")),
        ("fasterrcnn_resnet50_fpn_v2", "FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1", N_("Faster R-CNN v2, ResNet-50: accurate")),
        ("retinanet_resnet50_fpn_v2", "RetinaNet_ResNet50_FPN_V2_Weights.COCO_V1", N_("RetinaNet v2, ResNet-50")),
        ("fcos_resnet50_fpn", "FCOS_ResNet50_FPN_Weights.COCO_V1", N_("FCOS, ResNet-50 (anchor-free)")),
    ]
    for arch, enum, text in detection:
        _torchvision_entry(arch, "detection", arch, enum, text)
    classification = [
        ("alexnet", "AlexNet_Weights.IMAGENET1K_V1", "AlexNet (2012)"),
        ("vgg16", "VGG16_Weights.IMAGENET1K_V1", "VGG-16"),
        ("resnet18", "ResNet18_Weights.IMAGENET1K_V1", "ResNet-18"),
        ("resnet50", "ResNet50_Weights.IMAGENET1K_V2", "ResNet-50"),
        ("googlenet", "GoogLeNet_Weights.IMAGENET1K_V1", "GoogLeNet / Inception-v1"),
    ]
    for arch, enum, text in classification:
        _torchvision_entry(arch, "classification", arch, enum, text)
    # Style transfer's quality backbone: only the convolutional part is used.
    _torchvision_entry("vgg19", "style", "vgg19", "VGG19_Weights.IMAGENET1K_V1", N_("VGG-19 features for style transfer"))


_register_builtin()


def entries(task: str | None = None) -> list[WeightsEntry]:
    """All registry entries, optionally only those of one task."""
    return [e for e in REGISTRY.values() if task is None or e.task == task]


def get_entry(name: str) -> WeightsEntry:
    """The entry called ``name``; ``KeyError`` lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(_("unknown weights {name}; known: {known}").format(name=repr(name), known=join_list(sorted(REGISTRY)))) from None


# -- manifest: what is installed, so status checks need not re-hash big files --

def _manifest_path() -> Path:
    return weights_dir() / "manifest.json"


#: The manifest lists a few entries; anything beyond this is not one.
MANIFEST_MAX_BYTES = 1 << 20
_MANIFEST_FIELDS = {"file": str, "sha256": str, "origin": str, "size": int, "mtime": float}


def _manifest_entry(name: object, record: object) -> dict | None:
    """A manifest record with every field of the right type, else None."""
    if not isinstance(name, str) or name not in REGISTRY or not isinstance(record, dict):
        return None
    out = {}
    for key, kind in _MANIFEST_FIELDS.items():
        value = record.get(key)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            return None
        if kind is float and not (value == value and abs(value) < 1e12):  # NaN, infinities, absurd times
            return None
        out[key] = value
    if out["size"] < 0 or out["origin"] not in ("download", "import") or not re.fullmatch(r"[0-9a-f]{64}", out["sha256"]):
        return None
    return out


def parse_manifest(data: bytes) -> tuple[dict, bool]:
    """The valid records of a manifest file's bytes: (records, whether anything was wrong). Never raises."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}, True
    if not isinstance(raw, dict):
        return {}, True
    out = {name: entry for name, record in raw.items() if (entry := _manifest_entry(name, record)) is not None}
    return out, len(out) != len(raw)


def _read_manifest() -> dict:
    """The manifest's valid records; a damaged manifest is kept aside (a missing record only costs a re-hash)."""
    from .stored import DamagedFile, keep_aside, read_stored

    path = _manifest_path()
    try:
        data = read_stored(path, MANIFEST_MAX_BYTES)
    except DamagedFile as exc:
        keep_aside(path, str(exc), _("the weights list (manifest.json)"))
        return {}
    if data is None:
        return {}
    manifest, bad = parse_manifest(data)
    if bad:
        kept = _("kept: {n} valid entries").format(n=len(manifest))
        if keep_aside(path, _("not a valid weights list"), _("the weights list (manifest.json)"), kept) is not None:
            try:
                _write_manifest(manifest)
            except OSError:
                pass
    return manifest


def _write_manifest(manifest: dict) -> None:
    path = _manifest_path()
    with atomic_write(path, "w") as fh:
        fh.write(json.dumps(manifest, indent=1, sort_keys=True))


def _record(name: str, path: Path, sha256: str, origin: str) -> None:
    with _lock:
        manifest = _read_manifest()
        st = path.stat()
        manifest[name] = {"file": path.name, "sha256": sha256, "origin": origin, "size": st.st_size, "mtime": st.st_mtime}
        _write_manifest(manifest)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def installed_path(name: str) -> Path:
    """Where the weights for ``name`` live in the cache (whether or not present)."""
    return weights_dir() / get_entry(name).filename


def status(name: str, rehash: bool = False) -> str:
    """``"installed"``, ``"imported"``, ``"missing"`` or ``"corrupt"``.

    Uses the manifest's recorded size and modification time; ``rehash=True``
    re-reads the file and checks its hash.
    """
    entry = get_entry(name)
    path = installed_path(name)
    if not path.exists():
        return STATUS_MISSING
    record = _read_manifest().get(name)
    st = path.stat()
    if record and not rehash and record.get("size") == st.st_size and record.get("mtime") == st.st_mtime:
        return STATUS_IMPORTED if record.get("origin") == "import" else STATUS_INSTALLED
    digest = sha256_file(path)
    if record and record.get("origin") == "import" and record.get("sha256") == digest:
        return STATUS_IMPORTED
    if entry.sha256_prefix and digest.startswith(entry.sha256_prefix):
        _record(name, path, digest, "download")
        return STATUS_INSTALLED
    return STATUS_CORRUPT


def verify(name: str) -> str:
    """Re-hash the installed file and return its status."""
    return status(name, rehash=True)


def _explain_network_error(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return _("the server answered HTTP {code} {reason}").format(code=exc.code, reason=exc.reason)
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.gaierror, ConnectionRefusedError, OSError)) or isinstance(exc, TimeoutError):
        return _("no network connection ({reason}); import a weights file you have instead").format(reason=reason)
    return str(reason)


#: Weights files with no known size are still bounded: no entry is near this.
UNKNOWN_SIZE_LIMIT = 2 * 2**30
#: Free space kept beyond the file itself (the manifest, the rest of the system).
FREE_SPACE_MARGIN = 64 * 2**20


def download_limit(entry: "WeightsEntry") -> int:
    """The most bytes a download of ``entry`` may bring: its known size plus 1 % and 64 KiB (sizes are rounded)."""
    if entry.size_mb <= 0:
        return UNKNOWN_SIZE_LIMIT
    return int(entry.size_mb * 2**20 * 1.01) + 64 * 1024


def _content_length(response: object) -> int | None:
    try:
        value = int(response.headers.get("Content-Length") or 0)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return None
    return value if value > 0 else None


def check_free_space(folder: Path, needed: int) -> None:
    """``WeightsError`` naming ``folder`` when it has less than ``needed`` bytes (plus a margin) free."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # cannot tell: the write itself will say
    if free < needed + FREE_SPACE_MARGIN:
        raise WeightsError(_("Not enough free space in {folder}: {need:.1f} MB needed, {free:.1f} MB free").format(
            folder=folder, need=(needed + FREE_SPACE_MARGIN) / 2**20, free=free / 2**20))


def download(name: str, url: str | None = None, timeout: float = 30.0) -> Job[Path]:
    """Job: download the weights for ``name`` into the cache, verifying the checksum.

    Yields :class:`Progress` per chunk. Nothing is left half-written: data goes
    to a temporary file next to the target that is removed on failure, a full
    disk or cancel, and renamed into place only after the hash matches; disk
    errors come as :class:`WeightsError` in one line. ``url`` overrides the entry's (mirrors).
    A download stops at the entry's known size (:func:`download_limit`) and does
    not start without the free space for it (:func:`check_free_space`).
    """
    entry = get_entry(name)
    target = installed_path(name)
    digest = hashlib.sha256()
    yield Progress(0.0, _("Connecting for {name}…").format(name=name))
    try:
        response = urllib.request.urlopen(url or entry.url, timeout=timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WeightsError(
            _("Download of {name} failed: {reason}").format(name=name, reason=_explain_network_error(exc))
        ) from None
    try:
        # Streamed to a temporary file next to the target, renamed only after the hash matches;
        # a failure, a full disk or a cancel removes it.
        with response:
            limit = download_limit(entry)
            announced = _content_length(response)
            if announced is not None and announced > limit:
                raise WeightsError(_("Download of {name} refused: the server offers {got:.3g} MB, but the file is {size:.3g} MB").format(
                    name=name, got=announced / 2**20, size=entry.size_mb))
            total = announced or int(entry.size_mb * 2**20)
            check_free_space(target.parent, total or limit)
            with atomic_write(target, "wb") as out:
                received = 0
                while True:
                    try:
                        block = response.read(1 << 20)
                    except (OSError, urllib.error.URLError) as exc:
                        raise WeightsError(
                            _("Download of {name} broke off: {reason}").format(name=name, reason=_explain_network_error(exc))
                        ) from None
                    if not block:
                        break
                    if received + len(block) > limit:  # a wrong mirror or an endless stream: stop at the known size
                        raise WeightsError(_("Download of {name} stopped: more than the expected {size:.3g} MB arrived; the file was discarded").format(
                            name=name, size=entry.size_mb))
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    yield Progress(
                        min(received / total, 1.0) if total else None,
                        _("{name}: {received:.1f} of {total:.1f} MB").format(name=name, received=received / 2**20, total=total / 2**20),
                    )
                hexdigest = digest.hexdigest()
                if entry.sha256_prefix and not hexdigest.startswith(entry.sha256_prefix):
                    raise WeightsError(
                        _("Checksum mismatch for {name}: expected SHA-256 starting {expected}, got {got}; "
                          "the file was discarded").format(name=name, expected=entry.sha256_prefix, got=hexdigest[:12])
                    )
    except OSError as exc:
        raise WeightsError(describe_os_error(exc, target)) from None
    _record(name, target, hexdigest, "download")
    yield Progress(1.0, _("{name} installed ({size:.1f} MB)").format(name=name, size=received / 2**20))
    return target


def safe_load(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> object:
    """``torch.load(path, weights_only=True)`` with readable errors.

    Files that carry code (pickled objects other than tensors and plain
    containers) are refused with :class:`WeightsError` -- first by reading
    the file's pickles without running them (:func:`engine.safe_files.check_weights_file`),
    then by torch's restricted unpickler.
    """
    p = Path(path)
    if not p.exists():
        raise WeightsError(_("{file}: no such file").format(file=p))
    if p.is_dir():
        raise WeightsError(_("{file} is a folder, not a weights file").format(file=p))
    if p.stat().st_size == 0:
        raise WeightsError(_("{file}: the file is empty").format(file=p))
    try:
        check_weights_file(p)
    except RefusedFile as exc:
        raise WeightsError(str(exc)) from None
    except OSError as exc:
        raise WeightsError(_("{file} could not be read: {reason}").format(file=p, reason=exc.strerror or exc)) from None
    try:
        return torch.load(p, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError, zipfile errors...
        text = str(exc)
        found = re.search(r"GLOBAL ([\w.]+)", text)  # torch names the global it refused
        if found:
            raise WeightsError(
                _("{file} was refused: it contains pickled objects or code ({what}), not only tensors. "
                  "ConvStudio never runs code from weights files.").format(file=p, what=found.group(1))
            ) from None
        if "weights_only" in text or "Unpickler" in type(exc).__name__:
            # garbage and plain pickles fail the same way: an opcode the safe unpickler does not take
            raise WeightsError(
                _("{file} was refused: it is not a PyTorch weights file, or it holds pickled data beyond tensors "
                  "(ConvStudio never runs code from weights files).").format(file=p)
            ) from None
        with open(p, "rb") as fh:
            head = fh.read(2)
        if head != b"PK" and head[:1] != b"\x80":
            # neither torch's zip format nor a pickle: text, an image, random bytes...
            raise WeightsError(
                _("{file} is not a PyTorch weights file (neither a zip archive nor a pickle)").format(file=p)
            ) from None
        first = text.strip().splitlines()[0][:200] if text.strip() else ""
        raise WeightsError(
            _("{file} is not a readable PyTorch weights file ({error}: {reason})").format(
                file=p, error=type(exc).__name__, reason=first)
        ) from None


def _state_dict_of(obj: object, path: Path) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "model_state_dict"):
            inner = obj.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                return inner
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj  # type: ignore[return-value]
    raise WeightsError(_("{file} holds no state dict of tensors").format(file=path))


def _fit(entry: WeightsEntry, state: dict[str, torch.Tensor], path: Path) -> torch.nn.Module:
    model = entry.builder()
    wanted = set(model.state_dict())
    missing = [k for k in model.state_dict() if k not in state]
    unexpected = [k for k in state if k not in wanted]
    if missing or unexpected:
        def some(keys: list[str]) -> str:
            return ", ".join(keys[:3]) + (", …" if len(keys) > 3 else "")

        parts = [_("{n} tensors missing ({names})").format(n=len(missing), names=some(missing))] if missing else []
        parts += [_("{n} unexpected ({names})").format(n=len(unexpected), names=some(unexpected))] if unexpected else []
        raise WeightsError(_("{file} does not fit {arch}: {detail}").format(file=path, arch=entry.arch, detail=_("; ").join(parts)))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = "; ".join(lines[1:4]) if len(lines) > 1 else lines[0] if lines else ""
        raise WeightsError(_("{file} does not fit {arch}: {detail}").format(file=path, arch=entry.arch, detail=detail[:400])) from None
    return model


def import_file(name: str, source: str | os.PathLike) -> Path:
    """Import a weights file the user has: check it loads safely and fits, then cache it.

    Raises :class:`WeightsError` (nothing is copied) if the file is unreadable,
    carries code, or its tensors do not match the architecture.
    """
    entry = get_entry(name)
    src = Path(source)
    state = _state_dict_of(safe_load(src), src)
    _fit(entry, state, src)
    target = installed_path(name)
    h = hashlib.sha256()
    try:
        with open(src, "rb") as fin, atomic_write(target, "wb") as out:
            while block := fin.read(1 << 20):
                h.update(block)
                out.write(block)
        digest = h.hexdigest()
    except OSError as exc:  # disk full, no permission: the installed file (if any) is untouched
        raise WeightsError(describe_os_error(exc, target)) from None
    origin = "download" if entry.sha256_prefix and digest.startswith(entry.sha256_prefix) else "import"
    _record(name, target, digest, origin)
    return target


def load_state_dict(name: str) -> dict[str, torch.Tensor]:
    """The installed state dict for ``name``; :class:`WeightsMissing` if absent."""
    state = status(name)
    if state == STATUS_MISSING:
        raise WeightsMissing(name)
    if state == STATUS_CORRUPT:
        raise WeightsError(_("The weights file for {name} is corrupt (checksum mismatch); download it again").format(name=name))
    path = installed_path(name)
    return _state_dict_of(safe_load(path), path)


def load_model(name: str, device: torch.device | str = "cpu") -> torch.nn.Module:
    """Build the architecture, load its installed weights, and return it in eval mode on ``device``."""
    entry = get_entry(name)
    model = _fit(entry, load_state_dict(name), installed_path(name))
    return model.eval().to(device)
