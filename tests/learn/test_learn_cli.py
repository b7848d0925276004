"""The command line as a learner drives it. Commands that need no check run in this process
(``cli.main``); ``check`` and ``watch`` start the checking subprocess, as in real use."""
import json
import os
import subprocess
import sys
import time

import pytest

from ember.learn import cli
from ember.learn.exercises import ALL, by_name


def learn(tmp_path, *args, lang="en"):
    """Run ``python -m ember.learn`` in a subprocess; (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "ember.learn", *args, "--dir",
                           str(tmp_path / "ws"), "--lang", lang],
                          check=False, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def main(tmp_path, capsys, *args):
    """Run a command in this process; (exit code, stdout, stderr)."""
    code = cli.main([*args, "--dir", str(tmp_path / "ws"), "--lang", "en"])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, exercise, text):
    (tmp_path / "ws" / exercise.filename).write_text(text, encoding="utf-8")


def solution(exercise):
    return exercise.file_text("en", "solution", len(ALL))


def progress(tmp_path):
    return json.loads((tmp_path / "ws" / ".progress.json").read_text())


def test_a_learner_walks_through_one_exercise(tmp_path, capsys):
    views = by_name("views")
    code, out, _ = main(tmp_path, capsys, "start", "views")
    assert code == 0 and "Shapes, views and shared memory" in out and "Wrote" in out
    starter = (tmp_path / "ws" / views.filename).read_text()
    assert "TODO" in starter and "# `as_grid(x, rows)`" in starter

    # a first attempt: as_grid copies instead of sharing memory
    attempt = starter.replace("return ...  # TODO: a view of x with `rows` rows",
                              "return x.reshape(rows, -1).clone()")
    attempt = attempt.replace("return ...  # TODO: 1-D, not sharing memory with m",
                              "return m.reshape(-1).clone()")
    attempt = attempt.replace("    return ...  # TODO\n", "    return m.t().reshape(-1)\n")
    write(tmp_path, views, attempt)
    code, out, _ = learn(tmp_path, "check")
    assert code == 1
    assert "FAIL  as_grid shares memory" in out and "it is a copy" in out
    assert "expected:" in out and "got:" in out and "Hint:" in out
    assert "views" not in progress(tmp_path)["done"]

    write(tmp_path, views, attempt.replace("x.reshape(rows, -1).clone()", "x.view(rows, -1)"))
    code, out, _ = learn(tmp_path, "check")
    assert code == 0, out
    assert "Passed!" in out and "Next: exercise 5 (indexing)" in out
    assert "views" in progress(tmp_path)["done"]
    assert progress(tmp_path)["current"] == "indexing"   # the next one not done yet

    code, out, _ = main(tmp_path, capsys)
    assert code == 0 and f"1/{len(ALL)}" in out and "Current: 5 indexing" in out
    code, out, _ = main(tmp_path, capsys, "list")
    assert "views" in out and "done" in out and "todo" in out

    # starting it again never overwrites the learner's file
    before = (tmp_path / "ws" / views.filename).read_text()
    code, out, _ = main(tmp_path, capsys, "start", "4")
    assert code == 0 and "already exists" in out
    assert (tmp_path / "ws" / views.filename).read_text() == before


def test_watch_checks_on_every_save_and_stops_when_it_passes(tmp_path, capsys):
    creation = by_name("creation")
    main(tmp_path, capsys, "start", "creation")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ember.learn", "watch", "--once", "--interval", "0.2",
         "--dir", str(tmp_path / "ws"), "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        deadline = time.time() + 60
        while "Hint:" not in seen and time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
        assert "FAIL" in seen, seen
        write(tmp_path, creation, solution(creation))
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Passed!" in rest
    assert "creation" in progress(tmp_path)["done"]


def test_watch_stops_after_max_checks(tmp_path, capsys):
    main(tmp_path, capsys, "start", "1")
    code, out, _ = learn(tmp_path, "watch", "--max-checks", "1", "--interval", "0.1")
    assert code == 1 and "FAIL" in out


def test_an_unknown_exercise_is_one_line_and_exit_2(tmp_path, capsys):
    code, out, err = main(tmp_path, capsys, "start", "viewz")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no exercise 'viewz'" in err and "'views'" in err


def test_a_missing_workspace_is_one_line_and_exit_2(tmp_path, capsys):
    code, _, err = main(tmp_path, capsys, "check")
    assert code == 2 and err.count("\n") == 1 and "no workspace" in err
    code, out, _ = main(tmp_path, capsys)
    assert code == 0 and "python -m ember.learn start" in out


def test_a_missing_exercise_file_is_exit_2(tmp_path, capsys):
    main(tmp_path, capsys, "start", "1")
    code, _, err = main(tmp_path, capsys, "check", "3")
    assert code == 2 and "start 3" in err


def test_a_bad_option_is_exit_2(tmp_path, capsys):
    code, _, err = main(tmp_path, capsys, "frobnicate")
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize("source,words", [
    ("def as_grid(x, rows:\n    pass\n", "syntax error on line 1"),
    ("", "your file defines no `as_grid`"),
    ("import torch\nraise ValueError('boom')\n", "ValueError: boom"),
])
def test_a_broken_file_gets_an_explanation_and_exit_1(tmp_path, capsys, source, words):
    views = by_name("views")
    main(tmp_path, capsys, "start", "views")
    write(tmp_path, views, source)
    code, out, _ = learn(tmp_path, "check")
    assert code == 1 and words in out
    assert "Traceback (most recent call last)" not in out
    assert (tmp_path / "ws" / views.filename).read_text() == source


def test_a_file_that_prints_a_lot_and_sleeps_hits_the_time_limit(tmp_path, capsys):
    views = by_name("views")
    main(tmp_path, capsys, "start", "views")
    source = "for i in range(200000):\n    print('spam', i)\nimport time\ntime.sleep(60)\n"
    write(tmp_path, views, source)
    t0 = time.time()
    code, out, _ = learn(tmp_path, "check", "--timeout", "3")
    assert code == 1 and "took longer than 3 s" in out
    assert time.time() - t0 < 30
    assert len(out) < 2000
    assert (tmp_path / "ws" / views.filename).read_text() == source


def test_the_checks_run_on_pytorch_with_backend_torch(tmp_path, capsys):
    pytest.importorskip("torch", reason="--backend torch needs PyTorch installed")
    creation = by_name("creation")
    main(tmp_path, capsys, "start", "1")
    write(tmp_path, creation, solution(creation))
    code, out, _ = learn(tmp_path, "check", "--backend", "torch")
    assert code == 0 and "on torch" in out and "Passed!" in out


def test_backend_torch_without_pytorch_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    main(tmp_path, capsys, "start", "1")
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    code, _, err = main(tmp_path, capsys, "check", "--backend", "torch")
    assert code == 2 and err.count("\n") == 1 and "PyTorch is not installed" in err


def test_a_corrupted_progress_file_points_at_rebuild(tmp_path, capsys):
    creation = by_name("creation")
    main(tmp_path, capsys, "start", "1")
    write(tmp_path, creation, solution(creation))
    (tmp_path / "ws" / ".progress.json").write_text('{"done": oops')
    for args in ((), ("list",), ("start", "2")):
        code, _, err = main(tmp_path, capsys, *args)
        assert code == 2 and "rebuild" in err and "Traceback" not in err
    code, out, _ = main(tmp_path, capsys, "rebuild")
    assert code == 0 and "1 exercises pass" in out
    assert set(progress(tmp_path)["done"]) == {"creation"}
    assert (tmp_path / "ws" / ".progress.json.broken").read_text() == '{"done": oops'
    assert (tmp_path / "ws" / creation.filename).exists()


def test_hint_solution_and_reset(tmp_path, capsys):
    views = by_name("views")
    code, out, _ = main(tmp_path, capsys, "hint", "views")
    assert code == 0 and out.startswith("Hint: ")
    code, out, _ = main(tmp_path, capsys, "solution", "views")
    assert code == 1 and "--force" in out
    code, out, _ = main(tmp_path, capsys, "solution", "views", "--force")
    assert code == 0 and "x.view(rows, -1)" in out

    main(tmp_path, capsys, "start", "views")
    write(tmp_path, views, "my own attempt\n")
    code, out, _ = main(tmp_path, capsys, "reset", "views")
    assert code == 0 and ".bak" in out
    assert (tmp_path / "ws" / (views.filename + ".bak")).read_text() == "my own attempt\n"
    assert "TODO" in (tmp_path / "ws" / views.filename).read_text()
    main(tmp_path, capsys, "reset", "views")
    assert (tmp_path / "ws" / (views.filename + ".bak1")).exists()


def test_chinese_texts_reach_the_terminal(tmp_path, capsys):
    code = cli.main(["start", "1", "--dir", str(tmp_path / "ws"), "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 0 and "创建张量" in out and "已写入" in out
    code = cli.main(["list", "--dir", str(tmp_path / "ws"), "--lang", "zh"])
    assert "进行中" in capsys.readouterr().out


def test_the_language_comes_from_the_locale(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    cli.main(["hint", "1", "--dir", str(tmp_path / "ws")])
    assert capsys.readouterr().out.startswith("提示：")
    assert os.environ["LANG"] == "zh_CN.UTF-8"
