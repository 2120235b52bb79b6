"""The convolution lab's engine against PyTorch: traces, pooling, arithmetic, code, export."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.conv import (
    PADDING_MODES,
    Animation,
    PoolSpec,
    apply_filters,
    compare_params,
    conv_image,
    conv_params,
    coverage,
    export_animation,
    filter_preset,
    kernel_preset,
    output_size,
    pool_trace,
    pytorch_code,
    red_vertical_edge,
    render_frame,
    same_padding,
    trace,
)
from engine.conv.export import frame_indices


def _reference(x: np.ndarray, w: np.ndarray, b: np.ndarray, s: int, p: int, d: int, mode: str) -> torch.Tensor:
    c_out, c_in, f, _ = w.shape
    conv = torch.nn.Conv2d(c_in, c_out, f, stride=s, padding=p, dilation=d, padding_mode=mode, bias=True)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(w, dtype=torch.float32))
        conv.bias.copy_(torch.tensor(b, dtype=torch.float32))
        return conv(torch.tensor(x, dtype=torch.float32)[None])[0]


def _random_case(rng: np.random.Generator):
    """Random (n, f, p, s, d, C_in, C_out, mode) that has an output in every mode's rules."""
    while True:
        n, f = int(rng.integers(3, 13)), int(rng.integers(1, 6))
        p, s, d = int(rng.integers(0, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        mode = PADDING_MODES[int(rng.integers(len(PADDING_MODES)))]
        if d * (f - 1) + 1 <= n + 2 * p and not (mode == "reflect" and p >= n):
            return n, f, p, s, d, int(rng.integers(1, 4)), int(rng.integers(1, 5)), mode


def test_trace_matches_torch_on_random_settings():
    rng = np.random.default_rng(1234)
    for _ in range(80):
        n, f, p, s, d, c_in, c_out, mode = _random_case(rng)
        h = n + int(rng.integers(0, 3))  # non-square inputs too
        x = rng.normal(size=(c_in, h, n)) * 3
        w = rng.normal(size=(c_out, c_in, f, f))
        b = rng.normal(size=c_out)
        t = trace(x, w, b, stride=s, padding=p, dilation=d, padding_mode=mode)
        ref = _reference(x, w, b, s, p, d, mode)
        assert t.output.shape == ref.shape == (c_out, output_size(h, f, p, s, d), output_size(n, f, p, s, d))
        torch.testing.assert_close(t.output, ref, atol=1e-5, rtol=1e-5)
        steps = t.steps
        assert len(steps) == ref.numel()
        for k in rng.integers(0, len(steps), size=3):
            st = steps[int(k)]
            # the window's unpadded coordinates, the products and the sum rebuild the value from the raw input
            padded = F.pad(torch.tensor(x)[None], (p,) * 4, mode={"zeros": "constant"}.get(mode, mode))[0].numpy() if p else x
            window = padded[:, list(st.rows)][:, :, list(st.cols)]
            np.testing.assert_allclose(st.window, window)
            np.testing.assert_allclose(st.products, w[st.out_channel] * window)
            assert st.in_rows == tuple(r - p for r in st.rows)
            assert st.rows == tuple(st.row * s + a * d for a in range(f))
            assert st.total == pytest.approx(float(ref[st.out_channel, st.row, st.col]), abs=1e-4)
            assert st.total == pytest.approx(st.channel_sums.sum() + b[st.out_channel])


def test_same_padding_keeps_size_and_even_kernel_explains():
    x = np.random.default_rng(0).normal(size=(2, 7, 7))
    for f, d in ((3, 1), (5, 1), (3, 2), (2, 2), (7, 3)):
        t = trace(x, np.ones((1, 2, f, f)), padding="same", dilation=d)
        assert t.output.shape[-2:] == (7, 7)
        ref = F.conv2d(torch.tensor(x, dtype=torch.float32)[None], torch.ones(1, 2, f, f), padding="same", dilation=d)[0]
        torch.testing.assert_close(t.output, ref, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="even kernel has no centre"):
        same_padding(4)
    with pytest.raises(ValueError, match="odd"):
        trace(x, np.ones((1, 2, 2, 2)), padding="same")


@pytest.mark.parametrize(
    "call, reason",
    [
        (lambda: output_size(5, 7), "no output"),
        (lambda: output_size(4, 3, 0, 1, 2), "dilated kernel spans 5"),
        (lambda: output_size(5, 3, -1), "padding p must be at least 0"),
        (lambda: output_size(5, 3, 0, 0), "stride s must be at least 1"),
        (lambda: output_size(5, 3, 0, 1, 0), "dilation d must be at least 1"),
        (lambda: output_size(5, 2.5), "whole number"),
        (lambda: trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding=4, padding_mode="reflect"), "reflect padding needs p < n"),
        (lambda: trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding=5, padding_mode="circular"), "circular padding needs p ≤ n"),
        (lambda: trace(np.ones((2, 4, 4)), np.ones((1, 3, 3, 3))), "2 channel"),
        (lambda: trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding_mode="mirror"), "unknown padding mode"),
        (lambda: trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), bias=np.ones(2)), "bias has 2"),
        (lambda: pool_trace(np.ones((1, 4, 4)), "max", 2, 2, padding=2), "at most half"),
        (lambda: pool_trace(np.ones((1, 2, 2)), "avg", 3, 1), "does not fit"),
        (lambda: pool_trace(np.ones((1, 4, 4)), "median", 2), "unknown pooling"),
    ],
)
def test_invalid_settings_raise_value_error_with_reason(call, reason):
    with pytest.raises(ValueError, match=reason):
        call()


def test_pool_trace_matches_torch():
    rng = np.random.default_rng(7)
    for _ in range(40):
        c, h, w = int(rng.integers(1, 4)), int(rng.integers(2, 12)), int(rng.integers(2, 12))
        size = int(rng.integers(1, min(h, w) + 1))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, size // 2 + 1))
        x = rng.normal(size=(c, h, w))
        xt = torch.tensor(x, dtype=torch.float32)[None]
        mx = pool_trace(x, "max", size, stride, pad)
        torch.testing.assert_close(mx.output, F.max_pool2d(xt, size, stride, pad)[0])
        av = pool_trace(x, "avg", size, stride, pad)
        torch.testing.assert_close(av.output, F.avg_pool2d(xt, size, stride, pad)[0], atol=1e-6, rtol=1e-5)
        gl = pool_trace(x, "global")
        torch.testing.assert_close(gl.output, F.adaptive_avg_pool2d(xt, 1)[0], atol=1e-6, rtol=1e-5)
        st = mx.steps[len(mx.steps) - 1]
        assert st.result == pytest.approx(float(mx.output[st.channel, st.row, st.col]), abs=1e-6)
        assert st.values[st.argmax[0] - st.rows[0], st.argmax[1] - st.cols[0]] == st.values.max()


def test_coverage_counts_windows():
    cov = coverage(6, 3)
    assert cov.shape == (6, 6)
    assert cov[0, 0] == 1 and cov[0, 1] == 2 and cov[2, 2] == 9
    # brute force: count the windows of a traced convolution that read each real pixel
    for n, f, p, s, d in ((6, 3, 1, 1, 1), (7, 3, 0, 2, 2), (5, 2, 1, 2, 1), (8, 3, 2, 3, 1)):
        t = trace(np.zeros((1, n, n)), np.zeros((1, 1, f, f)), stride=s, padding=p, dilation=d)
        brute = np.zeros((n, n), dtype=np.int64)
        for st in t.steps:
            for r in st.in_rows:
                for c in st.in_cols:
                    if 0 <= r < n and 0 <= c < n:
                        brute[r, c] += 1
        np.testing.assert_array_equal(coverage(n, f, p, s, d), brute)
    assert coverage(6, 3, 1).min() == 4  # padding evens the corners out


def test_parameter_counts():
    cmp = compare_params(32, 3, 5, 6)
    assert cmp.out_shape == (6, 28, 28)
    assert cmp.conv_total == 456 == conv_params(5, 3, 6)
    assert (cmp.dense_weights, cmp.dense_biases) == (14_450_688, 4_704)
    assert cmp.dense_weights + cmp.dense_biases == sum(p.numel() for p in torch.nn.Linear(32 * 32 * 3, 28 * 28 * 6, device="meta").parameters())
    assert sum(p.numel() for p in torch.nn.Conv2d(3, 6, 5).parameters()) == 456
    assert cmp.ratio > 30_000


def test_kernel_presets():
    np.testing.assert_array_equal(kernel_preset("vertical edge"), [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(kernel_preset("horizontal edge"), np.array([[1, 0, -1]] * 3).T)
    assert kernel_preset("gaussian", 5).sum() == pytest.approx(1.0)
    assert kernel_preset("box blur", 4).sum() == pytest.approx(1.0)
    x = np.random.default_rng(0).normal(size=(1, 6, 6))
    ident = trace(x, filter_preset("identity", 3, 1)[None], padding=1)
    np.testing.assert_allclose(ident.output[0].numpy(), x[0], atol=1e-6)
    red = red_vertical_edge()
    assert red.shape == (3, 3, 3) and not red[1:].any()
    with pytest.raises(ValueError, match="3×3 only"):
        kernel_preset("sobel x", 5)
    # the classic 6×6 example: a bright left half gives a strong response in the middle
    img = np.zeros((1, 6, 6))
    img[0, :, :3] = 10
    out = trace(img, filter_preset("vertical edge", 3, 1)[None]).output[0]
    np.testing.assert_array_equal(out.numpy(), [[0, 30, 30, 0]] * 4)


def test_generated_pytorch_code_reproduces_the_output():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 10, size=(3, 7, 7)).astype(np.float64)
    w = rng.normal(size=(2, 3, 3, 3))
    b = rng.normal(size=2)
    for functional in (False, True):
        for mode in ("zeros", "reflect"):
            pool = PoolSpec("max", 2, 2, 0)
            code = pytorch_code(x, w, b, stride=2, padding=1, dilation=1, padding_mode=mode, pool=pool, functional=functional)
            env: dict = {}
            exec(compile(code, "<generated>", "exec"), env)  # noqa: S102 - our own generated code
            t = trace(x, w, b, stride=2, padding=1, padding_mode=mode)
            expected = pool_trace(t.output, "max", 2, 2).output
            torch.testing.assert_close(env["y"][0].detach(), expected, atol=1e-4, rtol=1e-4)


def test_real_image_filters_match_torch():
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, size=(40, 56, 3), dtype=np.uint8)
    x = torch.tensor(rgb, dtype=torch.float32).permute(2, 0, 1)[None] / 255
    w = rng.normal(size=(2, 3, 3, 3))
    y = conv_image(rgb, w, np.array([0.1, -0.2]), stride=2, padding=1, device="cpu")
    ref = F.conv2d(x, torch.tensor(w, dtype=torch.float32), torch.tensor([0.1, -0.2]), stride=2, padding=1)[0]
    torch.testing.assert_close(y, ref, atol=1e-4, rtol=1e-4)
    gray = (x * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    w1 = rng.normal(size=(1, 1, 3, 3))
    fm = apply_filters(rgb, w1, None, padding=1, padding_mode="reflect", pool=PoolSpec("max", 2, 2), device="cpu")
    ref1 = F.conv2d(F.pad(gray, (1, 1, 1, 1), mode="reflect"), torch.tensor(w1, dtype=torch.float32))
    np.testing.assert_allclose(fm.maps, ref1[0].numpy(), atol=1e-4)
    np.testing.assert_allclose(fm.pooled, F.max_pool2d(ref1, 2, 2)[0].numpy(), atol=1e-4)
    counts, edges = fm.histograms[0]
    assert counts.sum() == fm.maps[0].size and edges[0] == pytest.approx(fm.maps[0].min(), abs=1e-5)
    for spec, ref_pool in (
        (PoolSpec("avg", 3, 3), lambda t: F.avg_pool2d(t, 3, 3)),
        (PoolSpec("max", 3, 2, 1), lambda t: F.max_pool2d(t, 3, 2, 1)),
        (PoolSpec("global"), lambda t: F.adaptive_avg_pool2d(t, 1)),
    ):
        fm = apply_filters(rgb, w1, None, padding=1, padding_mode="reflect", pool=spec, device="cpu")
        np.testing.assert_allclose(fm.pooled, ref_pool(ref1)[0].numpy(), atol=1e-4)
    with pytest.raises(ValueError, match="no output"):
        apply_filters(rgb, np.ones((1, 3, 7, 7)), dilation=9, device="cpu")


def _small_animation() -> Animation:
    x = np.zeros((1, 5, 5))
    x[0, :, :2] = 10
    t = trace(x, filter_preset("vertical edge", 3, 1)[None], padding=1)
    return Animation(t, pool_trace(t.output, "max", 2, 2))


def test_render_frame_highlights_the_window():
    anim = _small_animation()
    assert len(anim) == 25 + 4
    a, b = render_frame(anim, 0), render_frame(anim, 1)
    assert a.shape == b.shape and a.dtype == np.uint8
    assert (a != b).any()  # the window moved and one more output was written


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_export_writes_a_readable_animation(tmp_path, suffix):
    import imageio.v3 as iio

    anim = _small_animation()
    out = tmp_path / f"conv{suffix}"
    result = export_animation(anim, out, fps=10, cell=20, max_frames=12)
    assert result.frames == len(frame_indices(len(anim), 12)) == 12
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == result.frames
    assert frames.shape[1:3] == (result.height, result.width)
    if suffix == ".mp4":
        assert result.width % 16 == 0 and result.height % 16 == 0
    else:
        np.testing.assert_array_equal(frames[0][..., :3].shape[:2], render_frame(anim, 0, 20).shape[:2])
    with pytest.raises(ValueError, match="gif or .mp4"):
        export_animation(anim, tmp_path / "conv.avi")


def test_cli_size_export_and_bad_settings(tmp_path, capsys):
    import json

    import imageio.v3 as iio

    from engine.cli import build_parser, run

    def call(*argv: str) -> int:
        return run(build_parser().parse_args(list(argv)))

    assert call("conv", "size", "32", "-f", "5", "--c-in", "3", "--c-out", "6", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["output"], data["conv_params"], data["dense_weights"], data["dense_biases"]) == (28, 456, 14_450_688, 4_704)
    assert call("conv", "size", "4", "-d", "3") == 2
    assert "dilated kernel spans 7" in capsys.readouterr().err
    out = tmp_path / "cli.gif"
    assert call("conv", "export", str(out), "--n", "5", "-p", "same", "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert info["frames"] == 25 == iio.imread(out, index=None).shape[0]


def _conv_cli(*argv: str) -> int:
    from engine.cli import build_parser, run

    return run(build_parser().parse_args(list(argv)))


def test_cli_output_in_missing_folder_is_one_line(tmp_path, capsys):
    from engine.io import save_image

    photo = tmp_path / "in.png"
    save_image(photo, np.full((12, 16, 3), 90, np.uint8))
    missing = tmp_path / "no such folder"
    assert _conv_cli("conv", "filter", str(photo), str(missing / "out.png")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("convstudio: ") and "\n" not in err and "Traceback" not in err
    assert _conv_cli("conv", "export", str(missing / "a.gif")) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("convstudio: ") and "a.gif" in err


def test_cli_export_refuses_an_unwritable_output_before_drawing_frames(tmp_path, capsys):
    in_the_way = tmp_path / "x.gif"
    in_the_way.mkdir()  # a folder where the file should go
    for out, words in ((tmp_path / "no such folder" / "a.gif", "does not exist"), (in_the_way, "x.gif")):
        assert _conv_cli("conv", "export", str(out), "--n", "12") == 2
        err = capsys.readouterr().err
        assert "frame 1 of" not in err  # nothing was drawn for a file that could not be written
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("convstudio: ") and words in lines[0], err
    assert [p.name for p in tmp_path.iterdir()] == ["x.gif"] and not any(in_the_way.iterdir())


@pytest.mark.parametrize(
    "argv, words",
    [
        (("--c-in", "0"), "channels"),
        (("--c-out", "-3"), "filters"),
        (("--mode", "bogus"), "unknown padding mode"),
        (("-p", "5", "--mode", "reflect"), "reflect padding needs p < n"),
        (("--kernel", "bogus"), "unknown kernel preset"),
        (("--pool", "max", "--pool-size", "10"), "pooling has no output"),
        (("--pool", "max", "--pool-stride", "-1"), "pool stride"),
    ],
)
def test_cli_size_rejects_settings_it_used_to_ignore(argv, words, capsys):
    assert _conv_cli("conv", "size", "3", *argv) == 2
    assert words in capsys.readouterr().err


def test_cli_size_reports_pooling_and_copes_with_a_large_input(capsys):
    import json

    assert _conv_cli("conv", "size", "6", "--pool", "max", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pooled"] == 2
    assert _conv_cli("conv", "size", "100000", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["output"], data["coverage_min"], data["coverage_max"]) == (99_998, 1, 9)


@pytest.mark.parametrize("cell", ["-5", "5000"])
def test_cli_export_refuses_an_impossible_cell_size(cell, tmp_path, capsys):
    out = tmp_path / "a.gif"
    assert _conv_cli("conv", "export", str(out), "--cell", cell) == 2
    assert "cell size must be" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("frames", ["0", "-5"])
def test_cli_export_refuses_fewer_than_one_frame(frames, tmp_path, capsys):
    out = tmp_path / "a.gif"
    assert _conv_cli("conv", "export", str(out), "--max-frames", frames) == 2
    assert "at least 1 frame" in capsys.readouterr().err
    assert not out.exists()


def test_coverage_extremes_equal_the_built_line_on_random_settings():
    from engine.conv.arith import coverage_extremes, coverage_line

    rng = np.random.default_rng(3)
    checked = 0
    while checked < 3000:
        n, f, p, s, d = int(rng.integers(1, 40)), int(rng.integers(1, 8)), int(rng.integers(0, 12)), int(rng.integers(1, 15)), int(rng.integers(1, 6))
        try:
            line = coverage_line(n, f, p, s, d)
        except ValueError:
            continue
        assert coverage_extremes(n, f, p, s, d) == (int(line.min()), int(line.max())), (n, f, p, s, d)
        checked += 1


def test_conv_size_answers_huge_sizes_at_once_by_arithmetic():
    import json

    from cli_process import run_cli

    for args, n, p in ((["1000000000"], 10**9, 0), (["32", "-p", "1000000000000"], 32, 10**12),
                       (["1000000000000000000"], 10**18, 0)):
        proc = run_cli("conv", "size", *args, "--json", timeout=90)  # built maps or loops over n would hang or fail here
        assert proc.returncode == 0, proc.stderr
        r = json.loads(proc.stdout)
        o = n + 2 * p - 2
        assert r["output"] == o
        assert r["dense_weights"] == 3 * n * n * o * o  # exact integers, not floats
        assert (r["coverage_min"], r["coverage_max"]) == ((9, 9) if p else (1, 9))


def test_conv_refuses_sizes_counts_and_rates_beyond_a_machine_in_one_line(tmp_path):
    from cli_process import run_cli
    from engine.io import save_image

    photo = tmp_path / "p.png"
    save_image(photo, np.zeros((20, 30, 3), np.uint8))
    cases = [
        (["conv", "size", "10000000000000000000"], "at most 1,000,000,000,000,000,000"),
        (["conv", "export", str(tmp_path / "a.gif"), "-p", "100000"], "n + 2p must be at most 64"),
        (["conv", "export", str(tmp_path / "a.gif"), "--fps", "1e-9"], "--fps must be between 0.1 and 60"),
        (["conv", "export", str(tmp_path / "a.gif"), "--max-frames", "1000000000"], "--max-frames must be at most 5,000"),
        (["conv", "export", str(tmp_path / "a.gif"), "--n", "32", "-p", "16", "--max-frames", "5000"], "too many to render"),
        (["conv", "filter", str(photo), str(tmp_path / "b.png"), "-p", "1000000"], "--padding must be at most 1,024"),
    ]
    for args, words in cases:
        proc = run_cli(*args, timeout=120)
        assert proc.returncode == 2, (args, proc.stderr[-500:])
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1 and words in err, (args, err)
    assert not list(tmp_path.glob("a.gif*")) and not (tmp_path / "b.png").exists()


def test_red_vertical_edge_is_a_preset_of_the_command_line(tmp_path, capsys):
    import json

    from engine.io import save_image
    from gui.main import main

    assert main(["conv", "presets", "--json"]) == 0
    assert "red vertical edge" in json.loads(capsys.readouterr().out)["kernels"]
    rgb = np.random.default_rng(0).integers(0, 256, (24, 32, 3)).astype(np.uint8)
    save_image(tmp_path / "p.png", rgb)
    assert main(["conv", "filter", str(tmp_path / "p.png"), str(tmp_path / "red.png"), "--kernel", "red vertical edge", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    x = torch.from_numpy(rgb.astype(np.float64) / 255.0).permute(2, 0, 1)[None]
    k = torch.tensor([[1.0, 0, -1]] * 3, dtype=torch.float64)
    want = F.conv2d(x[:, :1], k[None, None])  # the red channel alone: green and blue are ignored
    assert r["shape"] == [22, 30]
    assert r["min"] == pytest.approx(float(want.min()), abs=1e-5) and r["max"] == pytest.approx(float(want.max()), abs=1e-5)
    assert main(["conv", "export", str(tmp_path / "red.gif"), "--channels", "1", "--kernel", "red vertical edge"]) == 2
    assert "needs three channels" in capsys.readouterr().err
