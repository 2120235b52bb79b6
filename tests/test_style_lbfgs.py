"""The style transfer L-BFGS: its direction against the two-loop recursion, convergence, and no host reads."""

from __future__ import annotations

import pytest
import torch
from torch.profiler import ProfilerActivity, profile

from engine.device import tf32_matmul
from engine.style.lbfgs import LBFGS, compact_direction


def two_loop(g: torch.Tensor, s: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Nocedal and Wright's algorithm 7.4, written out plainly: −H·g."""
    q = g.clone()
    rho = [1.0 / torch.dot(y[i], s[i]) for i in range(len(s))]
    alphas = [0.0] * len(s)
    for i in reversed(range(len(s))):
        alphas[i] = rho[i] * torch.dot(s[i], q)
        q = q - alphas[i] * y[i]
    r = q * (torch.dot(s[-1], y[-1]) / torch.dot(y[-1], y[-1]))
    for i in range(len(s)):
        beta = rho[i] * torch.dot(y[i], r)
        r = r + s[i] * (alphas[i] - beta)
    return -r


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def _evaluate(x: torch.Tensor, f):
    def evaluate() -> torch.Tensor:
        x.grad = None
        value = f(x)
        value.backward()
        return value.detach().reshape(1)

    return evaluate


@pytest.mark.parametrize("start", [0, 2, 6])
def test_compact_direction_equals_the_two_loop_recursion(start):
    gen = torch.Generator().manual_seed(start)
    n, k = 30, 7
    a = torch.randn(n, n, generator=gen, dtype=torch.float64)
    hessian = a @ a.T + n * torch.eye(n, dtype=torch.float64)
    s = torch.randn(k, n, generator=gen, dtype=torch.float64)
    y = s @ hessian  # pairs of a quadratic: yᵀs > 0
    g = torch.randn(n, generator=gen, dtype=torch.float64)
    ring_s, ring_y = torch.roll(s, start, 0), torch.roll(y, start, 0)  # oldest pair at row `start`
    got = compact_direction(g, ring_s, ring_y, s @ y.T, y @ y.T, start)
    torch.testing.assert_close(got, two_loop(g, s, y), rtol=1e-10, atol=1e-12)


def test_empty_history_is_steepest_descent():
    g = torch.tensor([1.0, -2.0])
    empty = torch.empty(0, 2)
    torch.testing.assert_close(compact_direction(g, empty, empty, torch.empty(0, 0), torch.empty(0, 0)), -g)


def test_minimises_rosenbrock_like_torch_lbfgs():
    x = torch.zeros(20, requires_grad=True)
    opt = LBFGS(x, history_size=5)
    for _ in range(300):
        opt.step(_evaluate(x, rosenbrock))
    assert opt.evaluations == 300
    assert rosenbrock(x).item() < 1e-6
    torch.testing.assert_close(x.detach(), torch.ones(20), atol=1e-3, rtol=0)

    ref = torch.zeros(20, requires_grad=True)
    torch_opt = torch.optim.LBFGS([ref], history_size=5, max_iter=300, max_eval=300, line_search_fn="strong_wolfe",
                                  tolerance_grad=-1, tolerance_change=-1)
    torch_opt.step(_evaluate(ref, rosenbrock))
    torch.testing.assert_close(x.detach(), ref.detach(), atol=1e-3, rtol=0)  # the same minimum


def test_history_is_a_ring_of_the_newest_pairs():
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(12, 12, generator=gen)
    hessian = a @ a.T / 12 + torch.eye(12)
    target = torch.randn(12, generator=gen)
    x = torch.zeros(12, requires_grad=True)
    opt = LBFGS(x, history_size=3)
    for _ in range(9):
        opt.step(_evaluate(x, lambda v: 0.5 * (v - target) @ hessian @ (v - target)))
    assert opt.history_length == 3
    s, y = opt.pairs()
    # every stored pair is a step and gradient change of this quadratic: y = H·s
    torch.testing.assert_close(y, s @ hessian, atol=1e-4, rtol=1e-3)
    g = (hessian @ (x.detach() - target))
    direction = opt._direction(g)
    torch.testing.assert_close(direction.double(), two_loop(g.double(), s.double(), y.double()), atol=1e-4, rtol=1e-3)


def _host_reads(step_many) -> int:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step_many()
    counts = {e.key: e.count for e in prof.key_averages()}
    return counts.get("aten::item", 0) + counts.get("aten::_local_scalar_dense", 0)


def test_no_scalar_reads_besides_the_one_transfer():
    x = torch.zeros(50, requires_grad=True)
    opt = LBFGS(x, history_size=8)
    evaluate = _evaluate(x, rosenbrock)
    assert _host_reads(lambda: [opt.step(evaluate) for _ in range(30)]) == 0
    assert opt.history_length == 8
    # the same counter sees torch's own L-BFGS reading scalars back every iteration
    ref = torch.zeros(50, requires_grad=True)
    torch_opt = torch.optim.LBFGS([ref], history_size=8, max_iter=30, max_eval=30, tolerance_grad=-1, tolerance_change=-1)
    assert _host_reads(lambda: torch_opt.step(_evaluate(ref, rosenbrock))) > 30


def test_point_changed_evaluates_again_and_keeps_the_pairs():
    x = torch.zeros(10, requires_grad=True)
    opt = LBFGS(x, history_size=4)
    evaluate = _evaluate(x, rosenbrock)
    for _ in range(12):
        opt.step(evaluate)
    kept = opt.history_length
    with torch.no_grad():
        x.clamp_(0.0, 0.5)
    opt.point_changed()
    value = opt.step(evaluate)[0]
    assert value == pytest.approx(rosenbrock(x.detach()).item())  # evaluated at the clamped point
    assert opt.history_length == kept


def test_tf32_matmul_restores_the_setting():
    matmul = torch.backends.cuda.matmul
    before = matmul.fp32_precision
    with tf32_matmul(torch.device("cuda")):
        assert matmul.fp32_precision == "tf32"
    assert matmul.fp32_precision == before
    with tf32_matmul(torch.device("cpu")):
        assert matmul.fp32_precision == before
