"""Data augmentation: the classic CNN training distortions, previewed and exported as code.

:class:`AugmentConfig` describes a pipeline (mirror, random resized crop,
per-channel colour offsets, AlexNet-style PCA colour augmentation, rotation,
shear, elastic warp). :func:`build_pipeline` turns it into a
``torchvision.transforms.v2.Compose`` -- the very object the app applies --
and :func:`to_code` writes the same pipeline as stand-alone Python text, so
"Copy code" gives a training script exactly what the preview showed (same
seed, same images).

All randomness comes from torch's global generator, which :func:`augment_grid`
forks and seeds, so a grid is reproducible and leaves the caller's RNG alone.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch

from .i18n import _

__all__ = [
    "AugmentConfig",
    "AugmentError",
    "ChannelOffsets",
    "ColourShift",
    "colour_shift",
    "PCALighting",
    "IMAGENET_EIGVAL",
    "IMAGENET_EIGVEC",
    "build_pipeline",
    "augment_grid",
    "to_code",
]

#: Eigenvalues and eigenvectors (columns) of the RGB covariance of ImageNet pixels
#: in 0..1, as used for AlexNet's "fancy PCA" lighting noise.
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = (
    (-0.5675, 0.7192, 0.4009),
    (-0.5808, -0.0045, -0.8140),
    (-0.5836, -0.6948, 0.4203),
)


def _define(source: str) -> type:
    """Define the class written in ``source`` in this module and return it.

    The transforms that "Copy code" exports are kept as text, and the app runs exactly that text:
    the exported code is the code behind the preview, and exporting needs no ``.py`` file at run
    time (a frozen bundle has none, so ``inspect.getsource`` would fail there). Tracebacks still
    show the lines.
    """
    name = source.split("(", 1)[0].removeprefix("class ").strip()
    filename = f"<engine.augment {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), globals())  # noqa: S102 - our own source text, held as data
    return globals()[name]


class AugmentError(ValueError):
    """An augmentation setting is out of range or the image cannot be augmented."""


_CHANNEL_OFFSETS_SOURCE = '''\
class ChannelOffsets(torch.nn.Module):
    """Add a random offset, uniform in [-max_offset, max_offset] (0..255 units), to each colour channel.

    Input and output: a uint8 or float image tensor (..., 3, H, W); the result
    keeps the input dtype and range (0..255 for uint8, 0..1 for float).
    """

    def __init__(self, max_offset: float = 20.0):
        super().__init__()
        self.max_offset = float(max_offset)

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        offsets = (torch.rand(3) * 2.0 - 1.0) * self.max_offset
        scale = 1.0 if img.dtype == torch.uint8 else 1.0 / 255.0
        out = img.float() + (offsets * scale).view(3, 1, 1)
        if img.dtype == torch.uint8:
            return out.round().clamp(0, 255).to(torch.uint8)
        return out.clamp(0.0, 1.0).to(img.dtype)
'''
ChannelOffsets = _define(_CHANNEL_OFFSETS_SOURCE)


_FIXED_COLOUR_SHIFT_SOURCE = '''\
class _FixedColourShift(torch.nn.Module):
    """Add fixed offsets ``(r, g, b)`` (0..255 units) to the colour channels of a (..., 3, H, W) image.

    Input and output: a uint8 or float image tensor; values are clipped to the input's range (0..255 or 0..1).
    """

    def __init__(self, r: float = 0.0, g: float = 0.0, b: float = 0.0):
        super().__init__()
        self.offsets = (float(r), float(g), float(b))

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        scale = 1.0 if img.dtype == torch.uint8 else 1.0 / 255.0
        out = img.float() + (torch.tensor(self.offsets) * scale).view(3, 1, 1)
        if img.dtype == torch.uint8:
            return out.round().clamp(0, 255).to(torch.uint8)
        return out.clamp(0.0, 1.0).to(img.dtype)
'''
_FixedColourShift = _define(_FIXED_COLOUR_SHIFT_SOURCE)


class ColourShift(_FixedColourShift):
    """Colour shifting dialled by hand: add fixed offsets ``(r, g, b)`` (0..255 units) to the channels.

    The deterministic twin of :class:`ChannelOffsets`: ``ColourShift(20, -20, 20)`` adds 20 to red,
    takes 20 from green and adds 20 to blue (the image turns purple). Input and output: a uint8
    or float image tensor (..., 3, H, W); values are clipped to the input's range (0..255 or 0..1).
    Exported code defines the same transform without the checks (see :func:`to_code`).
    """

    def __init__(self, r: float = 0.0, g: float = 0.0, b: float = 0.0):
        for name, v in (("R", r), ("G", g), ("B", b)):
            if not -255.0 <= float(v) <= 255.0:
                raise AugmentError(_("the {channel} offset must be between −255 and 255, not {v}").format(channel=name, v=v))
        super().__init__(r, g, b)

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        if img.ndim < 3 or img.shape[-3] != 3:
            raise AugmentError(_("colour shifting needs an RGB image (3 channels)"))
        return super().forward(img)


def colour_shift(image: np.ndarray, r: float = 0.0, g: float = 0.0, b: float = 0.0) -> np.ndarray:
    """An (H, W, 3) uint8 RGB image with ``r``, ``g``, ``b`` added to its channels, clipped to 0..255.

    ``colour_shift(img, 20, -20, 20)``: a pixel (100, 100, 100) becomes (120, 80, 120), (250, 10, 0)
    becomes (255, 0, 20). Raises :class:`AugmentError` for a non-RGB image or offsets beyond ±255.
    """
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[2] != 3:
        raise AugmentError(_("colour shifting needs an RGB image (H×W×3), got shape {s}").format(s=tuple(a.shape)))
    t = torch.from_numpy(np.ascontiguousarray(a.astype(np.uint8))).permute(2, 0, 1)
    return ColourShift(r, g, b)(t).permute(1, 2, 0).numpy().copy()


_PCA_LIGHTING_SOURCE = '''\
class PCALighting(torch.nn.Module):
    """AlexNet's PCA colour augmentation: add ``eigvec @ (alpha * eigval)`` with alpha ~ N(0, std).

    eigval (3,) and eigvec (3, 3, eigenvectors in columns) describe the RGB
    covariance of pixels in 0..1. Input/output as for :class:`ChannelOffsets`.
    """

    def __init__(self, std: float = 0.1, eigval=None, eigvec=None):
        super().__init__()
        self.std = float(std)
        self.eigval = torch.tensor(eigval if eigval is not None else [0.2175, 0.0188, 0.0045])
        self.eigvec = torch.tensor(eigvec if eigvec is not None else [
            [-0.5675, 0.7192, 0.4009],
            [-0.5808, -0.0045, -0.8140],
            [-0.5836, -0.6948, 0.4203],
        ])

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        alpha = torch.randn(3) * self.std
        rgb = self.eigvec @ (alpha * self.eigval)
        scale = 255.0 if img.dtype == torch.uint8 else 1.0
        out = img.float() + (rgb * scale).view(3, 1, 1)
        if img.dtype == torch.uint8:
            return out.round().clamp(0, 255).to(torch.uint8)
        return out.clamp(0.0, 1.0).to(img.dtype)
'''
PCALighting = _define(_PCA_LIGHTING_SOURCE)


@dataclass
class AugmentConfig:
    """Which augmentations run, and their ranges. Disabled steps are left out of the pipeline.

    size: output (height, width) of the random crop; ``None`` keeps the input size.
    crop_scale: range of the crop's area as a fraction of the image; crop_ratio: of its aspect ratio.
    rotation: maximum angle in degrees (uniform in [-rotation, rotation]).
    shear: maximum shear angle in degrees along x.
    elastic_alpha / elastic_sigma: displacement strength and smoothness (pixels).
    colour_offset: maximum per-channel offset in 0..255 units; pca_std: std of AlexNet's alpha.
    hand_shift / hand_offsets: colour shifting dialled by hand, fixed (R, G, B) offsets in −255..255
    added to every sample (e.g. (20, −20, 20) turns the image purple), before the random offsets.
    """

    mirror: bool = True
    mirror_p: float = 0.5
    crop: bool = True
    crop_scale: tuple[float, float] = (0.5, 1.0)
    crop_ratio: tuple[float, float] = (3 / 4, 4 / 3)
    size: tuple[int, int] | None = None
    rotation: bool = False
    rotation_degrees: float = 15.0
    shear: bool = False
    shear_degrees: float = 10.0
    elastic: bool = False
    elastic_alpha: float = 50.0
    elastic_sigma: float = 5.0
    colour_shift: bool = True
    colour_offset: float = 20.0
    pca: bool = False
    pca_std: float = 0.1
    hand_shift: bool = False
    hand_offsets: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def validate(self) -> None:
        """Raise :class:`AugmentError` for out-of-range settings."""
        if not 0.0 <= self.mirror_p <= 1.0:
            raise AugmentError(_("mirror probability must be between 0 and 1"))
        lo, hi = self.crop_scale
        if not 0.0 < lo <= hi <= 1.0:
            raise AugmentError(_("crop scale must satisfy 0 < min <= max <= 1"))
        rlo, rhi = self.crop_ratio
        if not 0.0 < rlo <= rhi:
            raise AugmentError(_("crop ratio must satisfy 0 < min <= max"))
        if self.size is not None and (self.size[0] < 1 or self.size[1] < 1):
            raise AugmentError(_("output size must be at least 1x1"))
        if not 0.0 <= self.rotation_degrees <= 180.0:
            raise AugmentError(_("rotation must be between 0 and 180 degrees"))
        if not 0.0 <= self.shear_degrees < 90.0:
            raise AugmentError(_("shear must be between 0 and 90 degrees"))
        if self.elastic_alpha < 0 or self.elastic_sigma <= 0:
            raise AugmentError(_("elastic alpha must be >= 0 and sigma > 0"))
        if not 0.0 <= self.colour_offset <= 255.0:
            raise AugmentError(_("colour offset must be between 0 and 255"))
        if self.pca_std < 0:
            raise AugmentError(_("PCA std must be >= 0"))
        if len(self.hand_offsets) != 3 or not all(-255.0 <= float(v) <= 255.0 for v in self.hand_offsets):
            raise AugmentError(_("the hand-dialled colour shift needs three offsets (R, G, B) between −255 and 255"))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "AugmentConfig":
        names = {f.name for f in fields(cls)}
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
        return cls(**kwargs)


def _num(value: float) -> str:
    """A float as short code text (4 decimals are plenty for augmentation ranges)."""
    return repr(round(float(value), 4))


def _pair(values) -> str:
    return f"({_num(values[0])}, {_num(values[1])})"


def _steps(config: AugmentConfig, image_size: tuple[int, int]) -> list[str]:
    """The pipeline as a list of Python expressions over the names ``v2``, ``ColourShift``, ``ChannelOffsets``, ``PCALighting``."""
    steps: list[str] = []
    if config.mirror:
        steps.append(f"v2.RandomHorizontalFlip(p={_num(config.mirror_p)})")
    if config.crop:
        size = tuple(int(v) for v in (config.size if config.size is not None else image_size))
        steps.append(
            f"v2.RandomResizedCrop(size={size!r}, scale={_pair(config.crop_scale)}, "
            f"ratio={_pair(config.crop_ratio)}, antialias=True)"
        )
    if config.rotation and config.rotation_degrees > 0:
        steps.append(f"v2.RandomRotation(degrees={_num(config.rotation_degrees)})")
    if config.shear and config.shear_degrees > 0:
        steps.append(f"v2.RandomAffine(degrees=0.0, shear={_num(config.shear_degrees)})")
    if config.elastic and config.elastic_alpha > 0:
        steps.append(f"v2.ElasticTransform(alpha={_num(config.elastic_alpha)}, sigma={_num(config.elastic_sigma)})")
    if config.hand_shift and any(float(v) for v in config.hand_offsets):
        r, g, b = config.hand_offsets
        steps.append(f"ColourShift(r={_num(r)}, g={_num(g)}, b={_num(b)})")
    if config.colour_shift and config.colour_offset > 0:
        steps.append(f"ChannelOffsets(max_offset={_num(config.colour_offset)})")
    if config.pca and config.pca_std > 0:
        steps.append(f"PCALighting(std={_num(config.pca_std)})")
    return steps


def build_pipeline(config: AugmentConfig, image_size: tuple[int, int]) -> torch.nn.Module:
    """The ``v2.Compose`` the app applies for ``config`` to images of ``image_size`` (H, W).

    It is built from the same expressions :func:`to_code` writes out, so the
    exported code and the preview cannot drift apart.
    """
    from torchvision.transforms import v2

    config.validate()
    names = {"v2": v2, "ColourShift": ColourShift, "ChannelOffsets": ChannelOffsets, "PCALighting": PCALighting}
    return v2.Compose([eval(expr, {"__builtins__": {}}, names) for expr in _steps(config, image_size)])  # noqa: S307 (our own text)


def augment_grid(image: np.ndarray, config: AugmentConfig, n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` augmented versions of ``image`` ((H, W, 3) uint8 RGB), reproducible from ``seed``.

    Seeds torch's generator with ``seed`` inside a forked RNG state, applies the
    pipeline ``n`` times in turn, and returns (H', W', 3) uint8 arrays.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise AugmentError(_("expected an (H, W, 3) uint8 image, got {shape} {dtype}").format(shape=image.shape, dtype=image.dtype))
    if n < 1:
        raise AugmentError(_("the grid needs at least one sample"))
    pipeline = build_pipeline(config, image.shape[:2])
    tensor = torch.from_numpy(np.array(image, dtype=np.uint8, order="C", copy=True)).permute(2, 0, 1).contiguous()
    out = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        for _i in range(n):
            out.append(pipeline(tensor).permute(1, 2, 0).contiguous().numpy())
    return out


def to_code(config: AugmentConfig, image_size: tuple[int, int] = (224, 224)) -> str:
    """Stand-alone Python that builds the same pipeline as ``transform``.

    The text imports torch and ``torchvision.transforms.v2``, defines
    ``build_transform()`` returning the ``v2.Compose``, then the colour
    transforms that torchvision does not ship (only those used), and assigns
    ``transform = build_transform()``. Apply it to a uint8 (3, H, W)
    tensor; ``torch.manual_seed(seed)`` before the first call reproduces the
    app's grid.
    """
    config.validate()
    steps = _steps(config, image_size)
    lines = [
        "# Data augmentation pipeline exported from ConvStudio.",
        "# Input: a uint8 image tensor (3, H, W); call torch.manual_seed(seed) first to reproduce the preview.",
        "import torch",
        "from torchvision.transforms import v2",
        "",
    ]
    lines.append("")
    lines.append("def build_transform():")
    lines.append('    """The augmentation pipeline (a fresh object each call)."""')
    lines.append("    return v2.Compose([")
    lines.extend(f"        {s}," for s in steps)
    lines.append("    ])")
    for name, text in (("ColourShift", _FIXED_COLOUR_SHIFT_SOURCE), ("ChannelOffsets", _CHANNEL_OFFSETS_SOURCE),
                       ("PCALighting", _PCA_LIGHTING_SOURCE)):
        if any(s.startswith(name + "(") for s in steps):
            # the exported ColourShift is the transform without the app's translated checks: stand-alone code
            source = re.sub(r"^class \w+\(", f"class {name}(", text.rstrip(), count=1)
            lines.extend(["", "", source])
    lines.extend(["", "", "transform = build_transform()"])
    return "\n".join(lines) + "\n"
