"""Reader for dlib's binary serialization format (``dlib/serialize.h``) and its DNN/shape files.

Format summary:

* integers: a control byte (low 4 bits = number of value bytes, bit 7 = negative)
  followed by that many little-endian magnitude bytes;
* floats/doubles: two integers, mantissa then exponent, value = mantissa * 2**exponent
  (exponents 32000..32002 encode +inf, -inf and NaN);
* bool: the ASCII byte ``'1'`` or ``'0'``; ``std::string``: length integer + bytes;
  ``std::vector``: length integer + elements; ``matrix``: rows, cols (negated in the
  newer format) + row-major elements;
* DNN tensors: version 2, num_samples, k, nr, nc, then raw little-endian float32;
* a network ``add_loss_layer`` writes its version, the loss details and then the
  subnetwork; each ``add_layer`` writes its version, its subnetwork first and then its own
  details, so after a run of version integers the layer records follow from the input
  layer outwards. Tag and skip wrappers contribute only a version integer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

from ..i18n import _

__all__ = ["DlibFormatError", "DlibReader", "DnnLayer", "DnnNetwork", "read_dnn", "parse_dnn",
           "RegressionForest", "ShapePredictorData", "read_shape_predictor", "decode_ints"]

T = TypeVar("T")


class DlibFormatError(ValueError):
    """The bytes are not a dlib serialization of the expected object."""


class DlibReader:
    """Sequential reader over the bytes of a dlib-serialized file."""

    def __init__(self, data: bytes, name: str = "<bytes>"):
        self.data = memoryview(data)
        self.pos = 0
        self.name = name

    def _fail(self, what: str) -> DlibFormatError:
        return DlibFormatError(f"{self.name}: {what} at byte {self.pos}")

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise self._fail(f"unexpected end of data reading {n} bytes")
        out = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return out

    def int(self) -> int:
        """A variable-length signed or unsigned integer."""
        ctrl = self.raw(1)[0]
        size = ctrl & 0x0F
        if size == 0 or size > 8 or ctrl & 0x70:
            self.pos -= 1
            raise self._fail(f"bad integer control byte 0x{ctrl:02x}")
        value = int.from_bytes(self.raw(size), "little")
        return -value if ctrl & 0x80 else value

    def peek_string_prefix(self, prefix: bytes) -> bool:
        """Whether a ``std::string`` starting with ``prefix`` comes next (nothing is consumed)."""
        start = self.pos
        try:
            length = self.int()
            return length >= len(prefix) and self.raw(len(prefix)) == prefix
        except DlibFormatError:
            return False
        finally:
            self.pos = start

    def float(self) -> float:
        """A float or double (mantissa, exponent pair)."""
        if self.pos < len(self.data) and self.data[self.pos] & 0x70:
            raise self._fail("old ASCII float encoding is not supported")
        mantissa = self.int()
        exponent = self.int()
        if exponent == 32000:
            return math.inf
        if exponent == 32001:
            return -math.inf
        if exponent == 32002:
            return math.nan
        return math.ldexp(float(mantissa), exponent)

    def bool(self) -> bool:
        ch = self.raw(1)
        if ch not in (b"0", b"1"):
            self.pos -= 1
            raise self._fail(f"bad bool byte {ch!r}")
        return ch == b"1"

    def byte(self) -> int:
        return self.raw(1)[0]

    def string(self) -> str:
        length = self.int()
        if length < 0 or length > 1 << 20:
            raise self._fail(f"implausible string length {length}")
        return self.raw(length).decode("latin-1")

    def vector(self, read: Callable[[], T]) -> list[T]:
        n = self.int()
        if n < 0:
            raise self._fail(f"negative vector length {n}")
        return [read() for _ in range(n)]

    def matrix(self) -> np.ndarray:
        """A ``dlib::matrix<float or double>`` as a float64 (rows, cols) array."""
        nr, nc = abs(self.int()), abs(self.int())
        return np.array([self.float() for _ in range(nr * nc)], dtype=np.float64).reshape(nr, nc)

    def tensor(self) -> np.ndarray:
        """A ``resizable_tensor``: float32 array (num_samples, k, nr, nc)."""
        version = self.int()
        if version != 2:
            raise self._fail(f"unexpected tensor version {version}")
        shape = tuple(self.int() for _ in range(4))
        count = shape[0] * shape[1] * shape[2] * shape[3]
        return np.frombuffer(self.raw(4 * count), dtype="<f4").astype(np.float32).reshape(shape)

    def alias_tensor(self) -> tuple[int, int, int, int]:
        """An ``alias_tensor``: only its shape (num_samples, k, nr, nc)."""
        version = self.int()
        if version != 1:
            raise self._fail(f"unexpected alias_tensor version {version}")
        return tuple(self.int() for _ in range(4))  # type: ignore[return-value]


# ----------------------------------------------------------------------------- DNN files


@dataclass
class DnnLayer:
    """One record of a dlib network, input side first.

    ``kind`` is the serialized version string without its numeric suffix (``"con"``,
    ``"fc"``, ``"relu"``, ``"affine"``, ``"add_prev"``, ``"avg_pool"``, ``"max_pool"``,
    ``"input_rgb_image_sized"``...) or ``"tag_or_skip"`` for a tag/skip wrapper.
    ``params`` holds the layer's hyper-parameters, ``arrays`` its weights as float32.
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class DnnNetwork:
    """A parsed network: ``loss`` record, ``input`` record and the ``layers`` between, input first."""

    loss: DnnLayer
    input: DnnLayer
    layers: list[DnnLayer]

    def kinds(self) -> list[str]:
        return [layer.kind for layer in self.layers]


def _multipliers(r: DlibReader) -> None:
    for _ in range(4):  # learning-rate / weight-decay multipliers, not needed for inference
        r.float()


def _con(r: DlibReader, version: str) -> DnnLayer:
    params = r.tensor().reshape(-1)
    num_filters = r.int()
    nr, nc, stride_y, stride_x, pad_y, pad_x = (r.int() for _ in range(6))
    fshape, bshape = r.alias_tensor(), r.alias_tensor()
    _multipliers(r)
    use_bias = r.bool() if version == "con_5" else True
    nf = int(np.prod(fshape))
    weight = params[:nf].reshape(fshape)
    bias = params[nf:nf + int(np.prod(bshape))].reshape(-1) if use_bias else None
    arrays = {"weight": weight}
    if bias is not None and bias.size:
        arrays["bias"] = bias
    return DnnLayer("con", {"num_filters": num_filters, "kernel": (nr, nc), "stride": (stride_y, stride_x),
                            "padding": (pad_y, pad_x)}, arrays)


def _fc(r: DlibReader, version: str) -> DnnLayer:
    num_outputs, num_inputs = r.int(), r.int()
    params = r.tensor().reshape(-1)
    wshape, bshape = r.alias_tensor(), r.alias_tensor()
    bias_mode = r.int()  # 0: has bias, 1: no bias
    _multipliers(r)
    use_bias = r.bool() if version == "fc_3" else True
    nw = int(np.prod(wshape))
    arrays = {"weight": params[:nw].reshape(num_inputs, num_outputs)}  # out = in @ weight
    if bias_mode == 0 and use_bias:
        arrays["bias"] = params[nw:nw + int(np.prod(bshape))].reshape(-1)
    return DnnLayer("fc", {"num_outputs": num_outputs, "num_inputs": num_inputs}, arrays)


def _affine(r: DlibReader, version: str) -> DnnLayer:
    params = r.tensor().reshape(-1)
    gshape, _ = r.alias_tensor(), r.alias_tensor()
    mode = r.int()  # 0: FC_MODE, 1: CONV_MODE
    disabled = r.bool() if version == "affine_2" else False
    n = int(np.prod(gshape))
    return DnnLayer("affine", {"conv_mode": mode == 1, "disabled": disabled},
                    {"gamma": params[:n].copy(), "beta": params[n:2 * n].copy()})


def _bn(r: DlibReader, version: str) -> DnnLayer:
    """A batch-norm record, converted to the affine layer used at inference (as dlib does)."""
    params = r.tensor().reshape(-1)
    gshape, _ = r.alias_tensor(), r.alias_tensor()
    r.tensor(), r.tensor()  # means, invstds of the last batch
    running_means = r.tensor().reshape(-1)
    running_vars = r.tensor().reshape(-1)
    r.int(), r.int()  # num_updates, running_stats_window_size
    _multipliers(r)
    eps = r.float()
    n = int(np.prod(gshape))
    gamma = params[:n] / np.sqrt(running_vars + np.float32(eps))
    beta = params[n:2 * n] - gamma * running_means
    return DnnLayer("affine", {"conv_mode": version == "bn_con2", "disabled": False},
                    {"gamma": gamma.astype(np.float32), "beta": beta.astype(np.float32)})


def _pool(kind: str) -> Callable[[DlibReader, str], DnnLayer]:
    def read(r: DlibReader, version: str) -> DnnLayer:
        nr, nc, stride_y, stride_x, pad_y, pad_x = (r.int() for _ in range(6))
        return DnnLayer(kind, {"kernel": (nr, nc), "stride": (stride_y, stride_x), "padding": (pad_y, pad_x)})
    return read


def _nothing(kind: str) -> Callable[[DlibReader, str], DnnLayer]:
    return lambda r, version: DnnLayer(kind)


_LAYERS: dict[str, Callable[[DlibReader, str], DnnLayer]] = {
    "con_4": _con, "con_5": _con, "fc_2": _fc, "fc_3": _fc,
    "affine_": _affine, "affine_2": _affine, "bn_con2": _bn, "bn_fc2": _bn,
    "relu_": _nothing("relu"), "add_prev_": _nothing("add_prev"),
    "max_pool_2": _pool("max_pool"), "avg_pool_2": _pool("avg_pool"),
}


def _input(r: DlibReader) -> DnnLayer:
    version = r.string()
    if version == "input_rgb_image_sized":
        mean = tuple(r.float() for _ in range(3))
        return DnnLayer(version, {"mean": mean, "size": (r.int(), r.int())})
    if version in ("input_rgb_image_pyramid", "input_rgb_image_pyramid2"):
        mean = tuple(r.float() for _ in range(3))
        padding, outer = (r.int(), r.int()) if version.endswith("2") else (10, 11)
        return DnnLayer("input_rgb_image_pyramid", {"mean": mean, "pyramid_padding": padding,
                                                    "pyramid_outer_padding": outer})
    raise r._fail(f"unsupported input layer {version!r}")


def _mmod_options(r: DlibReader) -> dict[str, Any]:
    version = r.int()
    if not 1 <= version <= 4:
        raise r._fail(f"unexpected mmod_options version {version}")
    if version == 1:
        windows = [(r.int(), r.int(), "")]
    else:
        def window() -> tuple[int, int, str]:
            v = r.int()
            w, h = r.int(), r.int()
            return (w, h, r.string() if v == 2 else "")
        windows = r.vector(window)
    opts: dict[str, Any] = {"detector_windows": windows, "loss_per_false_alarm": r.float(),
                            "loss_per_missed_target": r.float(), "truth_match_iou_threshold": r.float(),
                            "nms_iou_thresh": r.float(), "nms_percent_covered_thresh": r.float(),
                            "ignore_iou_thresh": r.float(), "ignore_percent_covered_thresh": r.float(),
                            "use_bounding_box_regression": False, "bbr_lambda": 100.0}
    if version >= 3:
        opts["assume_image_pyramid"] = r.byte()
    if version >= 4:
        opts["use_bounding_box_regression"] = r.bool()
        opts["bbr_lambda"] = r.float()
    return opts


def _loss(r: DlibReader) -> DnnLayer:
    version = r.string()
    if version == "loss_metric_":
        return DnnLayer("loss_metric", {"margin": 0.1, "distance_threshold": 0.75})
    if version == "loss_metric_2":
        return DnnLayer("loss_metric", {"margin": r.float(), "distance_threshold": r.float()})
    if version == "loss_mmod_":
        return DnnLayer("loss_mmod", _mmod_options(r))
    raise r._fail(f"unsupported loss layer {version!r}")


def _details(r: DlibReader) -> DnnLayer:
    version = r.string()
    reader = _LAYERS.get(version)
    if reader is None:
        raise r._fail(f"unsupported layer {version!r}")
    return reader(r, version)


def parse_dnn(data: bytes, name: str = "<bytes>") -> DnnNetwork:
    """Parse a network saved with ``dlib::serialize(net)`` (an ``add_loss_layer`` at the top)."""
    r = DlibReader(data, name)
    if r.int() != 1:
        raise r._fail("not a dlib network (add_loss_layer version 1 expected)")
    loss = _loss(r)
    versions: list[int] = []
    while not r.peek_string_prefix(b"input"):
        versions.append(r.int())
        if len(versions) > 10000:
            raise r._fail("no input layer found")
    if not versions or versions[-1] not in (2, 3):
        raise r._fail("the layer next to the input must be a computational layer")
    inp = _input(r)
    first = _details(r)
    r.bool(), r.bool(), r.bool()
    r.tensor(), r.tensor(), r.tensor()  # x_grad, cached_output, grad_final
    if versions[-1] == 3:
        r.int()  # sample expansion factor
    layers = [first]
    for version in reversed(versions[:-1]):
        if version == 1:
            layers.append(DnnLayer("tag_or_skip"))
        elif version == 2:
            layers.append(_details(r))
            r.bool(), r.bool(), r.bool()
            r.tensor(), r.tensor(), r.tensor()  # x_grad, cached_output, params_grad
        else:
            raise r._fail(f"unexpected layer version {version}")
    if not r.at_end():
        raise r._fail("trailing data after the network")
    return DnnNetwork(loss=loss, input=inp, layers=layers)


def read_dnn(path: str | Path) -> DnnNetwork:
    """Read a dlib ``.dat`` network file (raises :class:`DlibFormatError` on bad content)."""
    path = Path(path)
    return parse_dnn(path.read_bytes(), str(path))


# ----------------------------------------------------------------------------- shape predictor


@dataclass
class RegressionForest:
    """T complete binary regression trees of equal depth, stacked.

    Split i of a tree has children 2i+1 (taken when ``pix[idx1] - pix[idx2] > thresh``)
    and 2i+2; leaf j is node S+j. ``idx1, idx2``: int64 (T,S); ``thresh``: float32 (T,S);
    ``leaves``: float32 (T,S+1,2P) shape increments.
    """

    idx1: np.ndarray
    idx2: np.ndarray
    thresh: np.ndarray
    leaves: np.ndarray


@dataclass
class ShapePredictorData:
    """A dlib ``shape_predictor``: mean shape float32 (2P,) in box-normalised units, one
    forest per cascade stage, and per stage the feature pixels as anchor landmark index
    int64 (F,) plus offset float32 (F, 2) in the mean shape's frame."""

    initial_shape: np.ndarray
    forests: list[RegressionForest]
    anchor_idx: list[np.ndarray]
    deltas: list[np.ndarray]


def decode_ints(data: bytes) -> np.ndarray:
    """Decode a byte string made only of dlib integers into an int64 array.

    Fast path for files such as shape predictors, where every value is an integer or a
    float (mantissa, exponent) pair. The chain of control bytes is found by pointer
    doubling (each control byte says where the next one is), so the work is vectorised.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    n = len(b)
    if n == 0:
        return np.zeros(0, np.int64)
    size = (b & 0x0F).astype(np.int64)
    jump = np.minimum(np.arange(n, dtype=np.int64) + 1 + size, n)
    jump = np.append(jump, n)  # n is the end sentinel
    starts = np.zeros(1, np.int64)
    while True:
        nxt = jump[starts]
        nxt = nxt[nxt < n]
        starts = np.concatenate([starts, nxt])
        if len(nxt) < len(starts) - len(nxt):
            break
        jump = jump[jump]
    sizes = size[starts]
    if ((b[starts] & 0x70) != 0).any() or (sizes == 0).any() or (sizes > 8).any():
        raise DlibFormatError(_("not a sequence of dlib integers (bad control byte)"))
    if starts[-1] + 1 + sizes[-1] != n:
        raise DlibFormatError(_("truncated integer at the end of the data"))
    values = np.zeros(len(starts), dtype=np.uint64)
    for j in range(8):
        has = sizes > j
        if not has.any():
            break
        values[has] |= b[starts[has] + 1 + j].astype(np.uint64) << np.uint64(8 * j)
    out = values.astype(np.int64)
    return np.where(b[starts] & 0x80, -out, out)


def _pairs_to_float(pairs: np.ndarray) -> np.ndarray:
    """(..., 2) int (mantissa, exponent) -> float64 values (inf/nan codes honoured)."""
    mant, exp = pairs[..., 0].astype(np.float64), pairs[..., 1]
    val = np.ldexp(mant, np.clip(exp, -1100, 1100).astype(np.int32))
    val = np.where(exp == 32000, np.inf, val)
    val = np.where(exp == 32001, -np.inf, val)
    return np.where(exp == 32002, np.nan, val)


def read_shape_predictor(path: str | Path) -> ShapePredictorData:
    """Read a ``shape_predictor_*.dat`` file (version 1: mean shape matrix, forests of
    regression trees, per-stage anchor indices and offsets)."""
    path = Path(path)
    v = decode_ints(path.read_bytes())
    pos = 0

    def take(n: int) -> np.ndarray:
        nonlocal pos
        if pos + n > len(v):
            raise DlibFormatError(_("{file}: unexpected end of shape predictor data").format(file=path))
        out = v[pos:pos + n]
        pos += n
        return out

    def count() -> int:
        n = int(take(1)[0])
        if n < 0 or n > len(v):
            raise DlibFormatError(_("{file}: bad element count {n}").format(file=path, n=n))
        return n

    def matrix() -> np.ndarray:  # a dlib::matrix of floats
        nr, nc = (abs(int(x)) for x in take(2))
        return _pairs_to_float(take(2 * nr * nc).reshape(-1, 2)).reshape(nr, nc)

    if int(take(1)[0]) != 1:
        raise DlibFormatError(_("{file}: unexpected shape_predictor version").format(file=path))
    initial = matrix().reshape(-1).astype(np.float32)
    forests: list[RegressionForest] = []
    for _cascade in range(count()):
        n_trees = count()
        # every tree of a forest has the same depth and leaf size: read them as one block
        n_splits = int(v[pos])
        n_leaves = int(v[pos + 1 + 4 * n_splits])
        nr, nc = abs(int(v[pos + 2 + 4 * n_splits])), abs(int(v[pos + 3 + 4 * n_splits]))
        rec = take(n_trees * (2 + 4 * n_splits + n_leaves * (2 + 2 * nr * nc))).reshape(n_trees, -1)
        splits = rec[:, 1:1 + 4 * n_splits].reshape(n_trees, n_splits, 4)
        leaf_rec = rec[:, 2 + 4 * n_splits:].reshape(n_trees, n_leaves, 2 + 2 * nr * nc)
        if ((rec[:, 0] != n_splits).any() or (rec[:, 1 + 4 * n_splits] != n_leaves).any()
                or (np.abs(leaf_rec[:, :, :2]) != (nr, nc)).any() or n_leaves != n_splits + 1):
            raise DlibFormatError(_("{file}: regression trees of unequal shapes").format(file=path))
        forests.append(RegressionForest(
            splits[:, :, 0].copy(), splits[:, :, 1].copy(),
            _pairs_to_float(splits[:, :, 2:]).astype(np.float32),
            _pairs_to_float(leaf_rec[:, :, 2:].reshape(n_trees, n_leaves, -1, 2)).astype(np.float32)))
    anchors = [take(count()).copy() for _ in range(count())]
    deltas = [_pairs_to_float(take(4 * count()).reshape(-1, 2, 2)).astype(np.float32) for _ in range(count())]
    if pos != len(v):
        raise DlibFormatError(_("{file}: trailing data after the shape predictor").format(file=path))
    return ShapePredictorData(initial, forests, anchors, deltas)
