"""The degradation experiment: a plain 20-layer CNN against the same network with shortcuts.

Both networks follow the CIFAR ResNet-20 layout (He et al. 2015, section 4.2)
at a tiny width: a 3x3 stem, three stages of three blocks of two 3x3
convolutions (widths w, 2w, 4w; the first block of stages 2 and 3 halves the
resolution), global average pooling and a linear classifier -- 19 convolutions
plus 1 fully connected layer = 20 weighted layers. The residual version adds
identity shortcuts (option A of the paper: subsample and zero-pad channels when
the shape changes), so both have exactly the same parameters; only the
shortcuts differ. Trained side by side on the same batches of 8x8 digits, the
plain network's training loss falls more slowly -- the degradation problem.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..i18n import _
from ..jobs import Job, Progress
from ..samples import load_digits

__all__ = ["Block", "DeepDigitsNet", "ResidualCurves", "ResidualResult", "residual_experiment", "digits_8"]


class Block(nn.Module):
    """Two 3x3 conv + BN layers; with ``shortcut`` the input is added before the last ReLU.

    (N, c_in, H, W) -> (N, c_out, H/stride, W/stride).
    """

    def __init__(self, c_in: int, c_out: int, stride: int, shortcut: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = shortcut
        self.stride = stride
        self.pad = c_out - c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut:
            skip = x[:, :, :: self.stride, :: self.stride] if self.stride > 1 else x
            if self.pad:
                skip = F.pad(skip, (0, 0, 0, 0, 0, self.pad))
            out = out + skip
        return F.relu(out)


class DeepDigitsNet(nn.Module):
    """A (6n+2)-layer CNN for (N, 1, 8, 8) digits -> (N, 10) logits; n=3 gives 20 layers.

    ``residual`` switches the identity shortcuts on; the parameters are the same either way.
    """

    def __init__(self, residual: bool, width: int = 8, blocks_per_stage: int = 3, classes: int = 10):
        super().__init__()
        self.residual = residual
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        layers, c = [], width
        for stage, c_out in enumerate((width, 2 * width, 4 * width)):
            for i in range(blocks_per_stage):
                stride = 2 if stage > 0 and i == 0 else 1
                layers.append(Block(c, c_out, stride, residual))
                c = c_out
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(c, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(x))
        return self.fc(x.mean(dim=(2, 3)))

    @property
    def depth(self) -> int:
        """Weighted layers: convolutions plus the classifier."""
        return sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in self.modules())


def digits_8() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1,797 digits at their native 8x8 as (N, 1, 8, 8) float32, standardised, and labels (N,)."""
    images, labels = load_digits()
    x = torch.as_tensor(images / 16.0).unsqueeze(1)
    x = (x - x.mean()) / x.std()
    return x.float(), torch.as_tensor(labels)


@dataclass
class ResidualCurves:
    """Live curves (the job's partial): x in epochs, mean training loss of each stretch of batches per network."""

    steps: list[float] = field(default_factory=list)
    plain_loss: list[float] = field(default_factory=list)
    residual_loss: list[float] = field(default_factory=list)
    depth: int = 20  # weighted layers of the plain network
    residual_depth: int = 20  # ... and of the residual one
    plain_params: int = 0  # parameters of each network (the same: shortcuts add none)
    residual_params: int = 0


@dataclass
class ResidualResult:
    """Final curves, each network's last training loss and training accuracy, and the seconds taken."""

    curves: ResidualCurves
    plain_final_loss: float
    residual_final_loss: float
    plain_accuracy: float
    residual_accuracy: float
    seconds: float


def residual_experiment(
    epochs: int = 3,
    seed: int = 0,
    width: int = 8,
    batch_size: int = 64,
    lr: float = 0.05,
    reports_per_epoch: int = 6,
    limit: int | None = None,
) -> Job[ResidualResult]:
    """Job: train the plain and the residual 20-layer nets side by side on the same batches.

    SGD with momentum 0.9 at ``lr``, both networks seeded identically (same
    initial weights). ``limit`` uses only the first ``limit`` digits (quick
    runs). Yields :class:`ResidualCurves`; returns :class:`ResidualResult`.
    """
    if epochs < 1:
        raise ValueError(_("epochs must be at least 1"))
    start = time.perf_counter()
    x, y = digits_8()
    if limit is not None:
        x, y = x[:limit], y[:limit]
    n = len(y)
    curves = ResidualCurves()
    yield Progress(0.0, _("Building the plain and residual networks…"), copy.deepcopy(curves))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        plain = DeepDigitsNet(False, width).train()
        torch.manual_seed(seed)
        resid = DeepDigitsNet(True, width).train()
        curves.depth, curves.residual_depth = plain.depth, resid.depth
        curves.plain_params, curves.residual_params = (sum(p.numel() for p in m.parameters()) for m in (plain, resid))
        nets = (plain, resid)
        opts = [torch.optim.SGD(m.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4) for m in nets]
        gen = torch.Generator().manual_seed(seed)
        batches = max(1, n // batch_size)  # the last incomplete batch is dropped
        every = max(1, batches // max(1, reports_per_epoch))
        for epoch in range(epochs):
            order = torch.randperm(n, generator=gen)
            sums, count = [0.0, 0.0], 0
            for b in range(batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                xb, yb = x[idx], y[idx]
                for k, (net, opt) in enumerate(zip(nets, opts)):
                    loss = F.cross_entropy(net(xb), yb)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    sums[k] += float(loss.detach()) * len(idx)
                count += len(idx)
                if (b + 1) % every == 0 or b == batches - 1:
                    curves.steps.append(epoch + (b + 1) / batches)
                    curves.plain_loss.append(sums[0] / count)
                    curves.residual_loss.append(sums[1] / count)
                    sums, count = [0.0, 0.0], 0
                    frac = (epoch + (b + 1) / batches) / epochs
                    yield Progress(
                        frac * 0.97,
                        _("Epoch {epoch}/{epochs}: plain {plain:.3f}, residual {residual:.3f}").format(
                            epoch=epoch + 1, epochs=epochs, plain=curves.plain_loss[-1], residual=curves.residual_loss[-1]),
                        copy.deepcopy(curves),
                    )
        accs = []
        with torch.no_grad():
            for net in nets:
                net.eval()
                accs.append(float((net(x).argmax(1) == y).float().mean()))
    seconds = time.perf_counter() - start
    yield Progress(1.0, _("Done in {seconds:.1f} s").format(seconds=seconds), copy.deepcopy(curves))
    return ResidualResult(curves, curves.plain_loss[-1], curves.residual_loss[-1], accs[0], accs[1], seconds)
