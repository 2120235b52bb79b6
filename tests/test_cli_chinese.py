"""The command line in Chinese: every --help and every error path says no English sentence.

An English sentence is a run of three or more English words once code is taken out: option
names, metavars, file paths, quoted values, identifiers, command names and the presets'
names (values the user types as they are).
"""

from __future__ import annotations

import argparse
import re

import pytest

from gui.main import main

_CODE = re.compile(
    r"https?://\S+"
    r"|'[^']*'|\"[^\"]*\"|“[^”]*”"           # quoted values
    r"|\[[^\]]*\]|\{[^}]*\}|<[^>]*>"          # usage brackets, choices, placeholders
    r"|(?<![\w])--?[A-Za-z][\w-]*"              # option names
    r"|\S*[/\\]\S*"                          # paths, a/b alternatives
    r"|\b\w+(?:-\w+)+\b"                        # hyphenated names: one-by-one, inception-v1-paper
    r"|\b\w*[\d_]\w*\b"                        # identifiers with digits or underscores
    r"|\b\w+(?:\.\w+)+\b"                      # dotted names
    r"|\b[A-Z][A-Z0-9_|]+s?\b"                 # metavars and abbreviations: NAME, FILE, RGB, MACs
    r"|\b[A-Za-z]*[a-z][A-Z]\w*\b"             # mixed case: PyTorch, ConvStudio, TorchScript
)
_WORDS = re.compile(r"[A-Za-z]+(?:[ :()'-]+[A-Za-z]+)*")  # a list "a, b, c" is names, not a sentence


def _names_users_type() -> set[str]:
    """Command words and preset names: typed as they are in any language."""
    from engine.cli import build_parser
    from engine.conv import INPUT_PRESETS, KERNEL_PRESETS, PADDING_MODES, RGB_FILTER_PRESETS

    words = {"convstudio", "sample", "demo", "cam", "luminance", "histogram", "yiq", "random", "auto", "cpu", "cuda",
             "mps", "valid", "same", "none", "max", "avg", "global", "mmod", "haar", "chw", "hwc", "en", "zh", "all",
             "vgg", "dlib", "Haar", "Gatys", "YOLO", "MMOD", "Ctrl", "torch", "fps", "ms", "px", "int", "float", "str",
             "ok", "offline", "jsonl", "png", "gif", "mp4", "pth", "ckpt", "db", "json", "a", "b", "x", "y", "w", "h",
             "n", "f", "p", "s", "d", "o", "k", "e", "g"}
    for group in (INPUT_PRESETS, KERNEL_PRESETS, PADDING_MODES, RGB_FILTER_PRESETS):
        for name in group:
            words.update(name.split())
    for path in _command_paths(build_parser(extra=_gui_registrars())):
        words.update(path)
    return words


def _gui_registrars():
    from gui import desktop, open_example, screenshots

    return [screenshots.register, open_example.register, desktop.register]


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                paths += _command_paths(child, prefix + (name,))
    return paths


def english_sentences(text: str, allowed: set[str]) -> list[str]:
    """Runs of three or more English words in ``text`` that are not code or names typed as they are."""
    plain = _CODE.sub(" ", text)
    found = []
    for run in _WORDS.findall(plain):
        words = [w for w in re.findall(r"[A-Za-z]+", run) if w not in allowed and w.lower() not in allowed]
        if len(words) >= 3:
            found.append(run)
    return found


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_LANG", "zh_CN")
    return _names_users_type()


def _run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_detector_finds_english(chinese):
    assert english_sentences("convstudio：each input pixel is used by 1 to 4 windows", chinese)
    assert english_sentences("show this help message and exit", chinese)
    assert not english_sentences("用法：convstudio conv size [-h] [--kernel KERNEL] n", chinese)
    assert not english_sentences("预设卷积核（例如 sobel x、gaussian，RGB 可用 red vertical edge；见 conv presets）", chinese)


def test_every_help_is_chinese(chinese, capsys):
    from engine.cli import build_parser

    paths = _command_paths(build_parser(extra=_gui_registrars()))
    assert len(paths) > 30
    bad = []
    for path in paths:
        code, text = _run([*path, "--help"], capsys)
        assert code == 0, (path, text)
        assert "用法：" in text and "选项：" in text, text
        bad += [f"{' '.join(path)} --help: {run!r}" for run in english_sentences(text, chinese)]
    assert not bad, "\n".join(bad)


def test_every_error_path_is_chinese(chinese, capsys, tmp_path):
    missing = str(tmp_path / "missing.png")
    junk = tmp_path / "notes.pth"
    junk.write_text("not weights", "utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    db = str(tmp_path / "faces.db")
    cases = [
        ["--bogus"], ["nosuch"], ["--shape-order", "xyz", "info"], ["--device", "tpu", "info"],
        ["conv"], ["conv", "size"], ["conv", "size", "x"], ["conv", "size", "5", "--pool", "xx"], ["conv", "size", "5", "--bogus"],
        ["conv", "size", "5", "--c-in", "0"], ["conv", "size", "5", "--c-out", "0"], ["conv", "size", "5", "-f", "9"],
        ["conv", "size", "3", "-f", "5"], ["conv", "size", "5", "--kernel", "nope"], ["conv", "size", str(10**19)],
        ["conv", "size", "5", "--mode", "sideways"], ["conv", "size", "5", "--padding", "wide"],
        ["conv", "export", str(tmp_path / "a.gif"), "--n", "200"], ["conv", "export", str(tmp_path / "a.gif"), "--fps", "0"],
        ["conv", "export", str(tmp_path / "no" / "a.gif")], ["conv", "filter", missing, str(tmp_path / "o.png")],
        ["models"], ["models", "download", "nope"], ["models", "import", "resnet18", str(junk)], ["models", "verify", "nope"],
        ["arch", "summary", "nope"], ["arch", "summary", "lenet5", "--depth", "-1"], ["arch", "summary", "lenet5", "--input", "x"],
        ["arch", "train-digits", "--epochs", "0"],
        ["detect"], ["detect", missing], ["detect", "demo", "--score", "2"], ["detect", "demo", "--max-det", "0"],
        ["detect", "demo", "--model", "nope"], ["detect", "demo", "--model", "ssdlite320_mobilenet_v3_large"],
        ["yolo"], ["yolo", "train", "--grid", "1"], ["yolo", "train", "--grid", "999"], ["yolo", "train", "--minutes", "0"],
        ["yolo", "train", "--output", str(tmp_path)], ["yolo", "eval", missing], ["yolo", "eval", str(junk)],
        ["stylize", "a", "b"], ["stylize", missing, missing, "-o", str(tmp_path / "o.png")],
        ["stylize", "sample:chelsea", "sample:mosaic", "-o", str(tmp_path / "o.jpg")],
        ["stylize", "sample:chelsea", "sample:mosaic", "-o", str(tmp_path / "o.png"), "--style-layers", "conv1_1=x"],
        ["style", "apply", str(junk), missing, "-o", str(tmp_path)], ["style", "apply", str(junk), missing, "-o", str(tmp_path), "--strength", "2"],
        ["style", "train", missing, "-o", str(tmp_path / "m.pth"), "--images", str(empty)],
        ["faces", "--db", db, "list"], ["faces", "--detector", "x", "list"], ["faces", "--db", db, "remove", "nobody"],
        ["faces", "--db", db, "verify", missing, missing], ["faces", "--db", db, "enroll", "Ana", missing],
        ["faces", "--db", db, "calibrate", "--far", "2"], ["faces", "--db", db, "import", missing],
        ["faces", "--db", db, "enroll", "Ana", missing, "--at", "x"], ["faces", "--threshold", "-1", "--db", db, "list"],
        ["course", "show", "nope"], ["course", "exercise", "nope"], ["course", "check", "nope"],
        ["open", "nope"], ["screenshots"], ["screenshots", str(tmp_path), "--size", "big"],
    ]
    bad = []
    for argv in cases:
        code, text = _run(argv, capsys)
        assert code != 0, (argv, text)
        assert "Traceback" not in text, (argv, text)
        # one error style: the program's name and a full-width colon, never "convstudio conv:" or "error:"
        prefixed = [line for line in text.splitlines() if line.startswith("convstudio")]
        assert prefixed and all(line.startswith("convstudio：") for line in prefixed), (argv, text)
        bad += [f"{' '.join(argv)}: {run!r}  in {text.strip()[:200]!r}" for run in english_sentences(text, chinese)]
    assert not bad, "\n".join(bad)


def test_printed_results_are_chinese(chinese, capsys):
    for argv in (["conv", "size", "7", "--pool", "max"], ["conv", "size", "7", "--pool", "global"], ["conv", "presets"],
                 ["models", "list"], ["models", "verify"], ["arch", "list"], ["arch", "summary", "lenet5"], ["info"],
                 ["detect", "--list"], ["course", "list"], ["course", "show", "padding"], ["course", "check", "pool-max-4x4"],
                 ["course", "glossary", "pool"], ["course", "progress"],
                 ["course", "exercise", "padding", "--answer", "abc", "--seed", "1"]):
        code, text = _run(argv, capsys)
        assert code == (1 if "--answer" in argv else 0), (argv, text)  # a wrong answer exits 1
        bad = english_sentences(text, chinese)
        assert not bad, (argv, bad, text[:400])


def test_arch_list_columns_line_up_by_display_width(chinese, capsys):
    from engine.tables import display_width

    code, text = _run(["arch", "list"], capsys)
    lines = [line for line in text.splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert "name" not in header and "params" not in header  # the header is translated
    # the year column ends at the same display column on every line
    ends = {display_width(line[: line.index(year) + 4]) for line in rows for year in re.findall(r"\b(?:19|20)\d\d\b", line)[:1]}
    assert len(ends) == 1, text


def test_a_chinese_system_locale_speaks_chinese(monkeypatch, capsys):
    monkeypatch.delenv("CONVSTUDIO_LANG", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, text = _run(["conv", "size", "5", "--c-in", "0"], capsys)
    assert code == 2 and text.startswith("convstudio：") and "输入通道数" in text, text
    monkeypatch.setenv("CONVSTUDIO_LANG", "en")
    code, text = _run(["conv", "size", "5", "--c-in", "0"], capsys)
    assert text.startswith("convstudio: input channels"), text


def test_tables_count_display_columns():
    from engine.tables import display_width, format_table, pad

    assert display_width("名称") == 4 and display_width("name") == 4 and display_width("网中网 NiN") == 10
    assert pad("层", 4) == "层  " and pad("12", 4, right=True) == "  12"
    lines = format_table([("卷积层", "1,024"), ("fc", "7")], header=("名称", "参数量"), right={1})
    # every line's second column ends at the same display column
    assert len({display_width(line) for line in lines}) == 1, lines
    assert lines[1].startswith("卷积层  ") and lines[2].startswith("fc      ")


def test_chinese_usage_lines_line_up(chinese, capsys):
    from engine.tables import display_width

    code, text = _run(["conv", "size", "--help"], capsys)
    first, second = text.splitlines()[:2]
    assert first.startswith("用法：convstudio conv size [")
    indent = len(second) - len(second.lstrip(" "))
    assert indent == display_width("用法：convstudio conv size "), text[:300]


def test_faces_results_are_chinese(chinese, capsys, tmp_path):
    import numpy as np

    from engine.face.db import FaceDatabase, NewSample

    path = tmp_path / "人脸.db"
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 128))
    with FaceDatabase(path) as db:
        for k, name in enumerate(("王小明", "Ana", "Ben")):
            for _i in range(3):
                v = centres[k] + 0.05 * rng.normal(size=128)
                db.add_sample(name, NewSample((v / np.linalg.norm(v)).astype(np.float32), np.zeros((150, 150, 3), np.uint8)))
    for argv in (["faces", "--db", str(path), "calibrate", "--far", "0.05"], ["faces", "--db", str(path), "list"],
                 ["faces", "--db", str(path), "export", str(tmp_path / "out.db")],
                 ["faces", "--db", str(path), "remove", "Ben"]):
        code, text = _run(argv, capsys)
        assert code == 0, (argv, text)
        assert not english_sentences(text, chinese), (argv, text)
    assert "王小明" in text or "已删除 Ben" in text
    code, text = _run(["faces", "--db", str(path), "list"], capsys)
    assert "2 人" in text and "3 个样本" in text, text
