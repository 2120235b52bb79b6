"""The closed list of operators a model file may use.

A TorchScript file or an exported program (``.pt2``) is code: its graph calls
operators, and an operator can do anything its C++ kernel does.
``aten::from_file(path, shared=True)`` maps a file into a tensor, so filling that
tensor overwrites the file; ``torch.classes`` objects run native code; an
operator from an unknown namespace runs whatever library registered it. So
ConvStudio runs a model only when every operator in every graph it could
execute is named below. Anything else is refused before any of the model's code
runs, in one line naming it (:func:`refusal`).

The list holds pure tensor computation, grouped by what it is for:

* **convolution** and **linear / matrix products**: the layers the course
  teaches, in every arity (1d/2d/3d, transposed) and as the generic
  ``convolution`` that exported graphs keep.
* **pooling**: max, average, adaptive and global pooling.
* **normalisation**: batch, instance, layer, group and RMS norms, including
  the ``_native_*_legit*`` forms an exported graph records.
* **activations** and **softmax**: pointwise nonlinearities and their
  log/soft variants; **attention** (scaled dot-product, the fused multi-head
  and encoder-layer kernels that ``nn.MultiheadAttention`` calls) is softmax
  and matrix products in one kernel.
* **elementwise arithmetic and comparison**: what residual additions, scaling
  and masks are made of.
* **reductions**: sums, means, extrema, norms, sorting.
* **reshape / view / permute / cat / split / slice / index**: moving values
  around inside tensors; every index is bounds-checked by its kernel (the
  ``_unsafe_*`` forms that skip that check are left out, as is ``as_strided``,
  which addresses a storage directly).
* **upsampling / interpolation and padding**.
* **dropout and random sampling**: dropout is the identity in eval mode and
  stochastic-depth layers draw Bernoulli masks; drawing random numbers touches
  no file. Seeding or replacing the random generator's state is not listed.
* **tensor creation and conversion**: zeros, ranges, ``to``, ``clone``.
* **shapes and checks**: sizes, dims, the asserts an exported program uses to
  check its input sizes, and whether grad or autocast mode is on.
* **TorchScript's own language**: constants, attributes of the model itself,
  lists, tuples, dicts, strings, integer arithmetic, ``if`` and loops, calls
  between the model's own methods, raising an error, formatting a message and
  issuing a Python warning (library code such as ``F.interpolate`` warns).
* **symbolic size arithmetic** (exported programs): Python's ``operator``
  arithmetic, ``math`` functions and ``torch.sym_*`` on integer sizes.
* **higher-order operators** ``cond``, ``map`` and the grad-mode wrapper: each
  only calls subgraphs stored in the same program, and those subgraphs are
  checked node by node like the main graph. Other higher-order operators (side
  effects with tokens, Triton kernels, custom-object calls) are refused.

Not listed, and so refused: file and storage operators (``from_file``,
``save``, ``set_``, ``untyped_storage``), printing, random seeding, ``fork``
and RPC, Python calls (``prim::PythonOp``), custom classes
(``torch.classes``) and every namespace other than ``aten`` and ``prim``.
An in-place form ``name_`` is allowed exactly when ``name`` is.
"""

from __future__ import annotations

from .i18n import _

__all__ = [
    "ALLOWED_ATEN",
    "ALLOWED_PRIM",
    "ALLOWED_HIGHER_ORDER",
    "ALLOWED_PYTHON",
    "operator_allowed",
    "python_target_allowed",
    "refusal",
]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONVOLUTION = _names("""
    conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d convolution _convolution conv_tbc
""")
_LINEAR = _names("""
    linear bilinear matmul mm bmm mv dot vdot addmm addmv addbmm baddbmm addr outer ger einsum tensordot
    _addmm_activation
""")
_POOLING = _names("""
    max_pool1d max_pool2d max_pool3d max_pool1d_with_indices max_pool2d_with_indices max_pool3d_with_indices
    avg_pool1d avg_pool2d avg_pool3d adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d
    _adaptive_avg_pool2d _adaptive_avg_pool3d adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool3d
""")
_NORMALISATION = _names("""
    batch_norm native_batch_norm _native_batch_norm_legit _native_batch_norm_legit_no_training
    _native_batch_norm_legit_functional instance_norm layer_norm native_layer_norm group_norm native_group_norm
    rms_norm _fused_rms_norm
""")
_ACTIVATIONS = _names("""
    relu relu6 leaky_relu elu selu celu gelu silu mish hardtanh hardsigmoid hardswish sigmoid tanh softplus
    softsign prelu _prelu_kernel rrelu glu logsigmoid log_sigmoid log_sigmoid_forward threshold hardshrink
    softshrink tanhshrink
""")
_SOFTMAX = _names("softmax log_softmax _softmax _log_softmax")
_ELEMENTWISE = _names("""
    add sub rsub mul multiply div divide true_divide floor_divide remainder fmod pow float_power neg negative abs
    absolute sign sgn sqrt rsqrt square exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 arcsin
    arccos arctan sinh cosh asinh acosh atanh reciprocal clamp clamp_min clamp_max clip minimum maximum fmax fmin
    floor ceil round trunc frac lerp addcmul addcdiv where eq ne lt le gt ge greater less equal not_equal
    greater_equal less_equal logical_and logical_or logical_not logical_xor bitwise_and bitwise_or bitwise_xor
    bitwise_not isnan isinf isfinite isclose allclose equal nan_to_num erf erfc erfinv hypot copysign xlogy
    masked_fill
""")
_REDUCTIONS = _names("""
    sum mean nansum nanmean prod max min amax amin aminmax argmax argmin std var std_mean var_mean norm
    linalg_vector_norm frobenius_norm logsumexp cumsum cumprod cummax cummin all any count_nonzero median
    nanmedian mode sort argsort topk kthvalue
""")
_LAYOUT = _names("""
    view view_as reshape reshape_as flatten unflatten permute transpose swapaxes swapdims movedim moveaxis t
    numpy_T contiguous expand expand_as repeat repeat_interleave tile squeeze unsqueeze cat concat concatenate
    stack hstack vstack split split_with_sizes tensor_split chunk unbind slice narrow select flip roll unfold
    pixel_shuffle pixel_unshuffle channel_shuffle diagonal diag tril triu _unsafe_view alias clone detach
    index index_select gather scatter scatter_add scatter_reduce index_put index_add index_copy index_fill
    masked_select take_along_dim nonzero one_hot embedding
""")
_UPSAMPLING = _names("""
    upsample_nearest1d upsample_nearest2d upsample_nearest3d _upsample_nearest_exact1d _upsample_nearest_exact2d
    _upsample_nearest_exact3d upsample_linear1d upsample_bilinear2d upsample_bicubic2d upsample_trilinear3d
    _upsample_bilinear2d_aa _upsample_bicubic2d_aa grid_sampler grid_sampler_2d affine_grid_generator
    pad constant_pad_nd reflection_pad1d reflection_pad2d reflection_pad3d replication_pad1d replication_pad2d
    replication_pad3d _pad_circular _pad_enum
""")
_DROPOUT = _names("""
    dropout feature_dropout alpha_dropout feature_alpha_dropout native_dropout bernoulli rand randn rand_like
    randn_like randint randint_like normal uniform randperm multinomial
""")
_CREATION = _names("""
    zeros ones full empty zeros_like ones_like full_like empty_like new_zeros new_ones new_full new_empty arange
    linspace logspace eye tensor scalar_tensor as_tensor lift_fresh lift_fresh_copy to _to_copy type_as copy fill
    zero detach_copy resolve_conj resolve_neg requires_grad real imag
""")
_SHAPES = _names("""
    size sym_size sym_numel sym_stride stride dim numel is_contiguous is_floating_point is_complex element_size
    _shape_as_tensor item _local_scalar_dense _assert_async _assert_scalar _assert_tensor_metadata
    _functional_assert_async _functional_assert_scalar sym_constrain_range sym_constrain_range_for_size
    _functional_sym_constrain_range _functional_sym_constrain_range_for_size scaled_dot_product_attention
    _scaled_dot_product_flash_attention_for_cpu _scaled_dot_product_attention_math _native_multi_head_attention
    _transformer_encoder_layer_fwd is_autocast_enabled is_autocast_cpu_enabled _is_all_true _is_any_true
""")
# TorchScript's language: scalars, strings, lists, dicts and the checks library code makes
_SCRIPT_LANGUAGE = _names("""
    __getitem__ _set_item __contains__ __is__ __isnot__ __not__ __and__ __or__ __xor__ __iand__ __ior__ __ixor__
    __lshift__ __rshift__ __round_to_zero_floordiv __range_length __derive_index __upsample_nearest
    __interpolate __upsample __upsample_bilinear append extend insert pop remove clear reverse len list dict keys
    values items get setdefault count floordiv divmod Int Float Bool Complex ScalarImplicit IntImplicit
    FloatImplicit ComplexImplicit str format warn join startswith endswith lower upper strip lstrip rstrip
    splitlines isdigit isalpha isspace find replace device is_grad_enabled gcd factorial
    radians degrees
""")

#: ``aten::<name>`` operators that may run (overloads and in-place ``name_`` forms included).
ALLOWED_ATEN: frozenset[str] = frozenset().union(
    _CONVOLUTION, _LINEAR, _POOLING, _NORMALISATION, _ACTIVATIONS, _SOFTMAX, _ELEMENTWISE, _REDUCTIONS, _LAYOUT,
    _UPSAMPLING, _DROPOUT, _CREATION, _SHAPES, _SCRIPT_LANGUAGE,
)

#: ``prim::<name>`` nodes of a TorchScript graph: values, attributes of the model, control flow, calls between the
#: model's own methods (checked one by one), errors.
ALLOWED_PRIM: frozenset[str] = _names("""
    Constant GetAttr SetAttr ListConstruct ListUnpack TupleConstruct TupleUnpack TupleIndex TupleSlice
    DictConstruct DictIndex If Loop CallMethod CallFunction CreateObject RaiseException Uninitialized
    unchecked_cast unchecked_unwrap_optional isinstance device dtype layout requires_grad is_cuda is_cpu is_mps
    is_meta is_sparse is_quantized is_nested NumToTensor ImplicitTensorToNum data min max abs shape name
    StringIndex EnumName EnumValue ModuleContainerIndex tolist Enter Exit layout AutogradZero AutogradAdd
    BroadcastSizes ConstantChunk type
""")

#: ``torch.ops.higher_order.<name>``: each calls only subgraphs of the same program, which are checked too.
ALLOWED_HIGHER_ORDER: frozenset[str] = _names("cond map_impl wrap_with_set_grad_enabled")

#: Python-level targets in an exported graph: integer arithmetic on symbolic sizes.
ALLOWED_PYTHON: frozenset[str] = frozenset(
    {f"_operator.{name}" for name in (
        "getitem", "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "neg", "pos", "abs", "eq", "ne", "lt",
        "le", "gt", "ge", "and_", "or_", "xor", "not_", "invert", "lshift", "rshift", "truth")}
    | {f"math.{name}" for name in ("ceil", "floor", "trunc", "sqrt", "exp", "log", "log2", "pow", "fabs", "isnan",
                                   "isinf", "isfinite")}
    | {f"torch.{name}" for name in (
        "sym_float", "sym_int", "sym_max", "sym_min", "sym_not", "sym_ite", "sym_sqrt", "sym_sum",
        "_sym_sqrt", "_sym_cos", "_sym_sin", "_sym_tan", "_sym_cosh", "_sym_sinh", "_sym_tanh", "_sym_asin",
        "_sym_acos", "_sym_atan", "_sym_log2", "sym_constrain_range", "sym_constrain_range_for_size")}
)


def operator_allowed(name: str) -> bool:
    """Whether the operator ``"namespace::name"`` (an overload suffix ``.default`` ignored) may run."""
    namespace, sep, op = name.partition("::")
    if not sep or not namespace or not op:
        return False
    op = op.split(".", 1)[0]
    if namespace == "prim":
        return op in ALLOWED_PRIM
    if namespace == "higher_order":
        return op in ALLOWED_HIGHER_ORDER
    if namespace != "aten":
        return False
    if op in ALLOWED_ATEN:
        return True
    return op.endswith("_") and not op.endswith("__") and op[:-1] in ALLOWED_ATEN


def python_target_allowed(name: str) -> bool:
    """Whether an exported graph may call the Python function ``"module.name"`` (size arithmetic only)."""
    return name in ALLOWED_PYTHON


def refusal(file: str, what: str) -> str:
    """The one-line refusal naming the operator (or class) ``what``."""
    return _("{file} was refused: this model uses {op}, which ConvStudio does not run from a file").format(
        file=file, op=what)
