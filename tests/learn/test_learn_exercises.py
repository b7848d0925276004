"""The exercise content: every reference solution passes its checks (on ember and, where
installed, on PyTorch), every untouched starter file fails every check, plausible mistakes
fail with the intended message, and a different correct solution passes. The checks run
in this process here (fast); tests/learn/test_learn_cli.py covers the subprocess."""
import ast
import pathlib

import pytest

import ember
from ember.learn.evaluate import ember_importer, evaluate
from ember.learn.exercises import ALL, by_name, find
from ember.learn.texts import CHAPTERS

ROOT = pathlib.Path(__file__).resolve().parents[2]
IDS = [e.name for e in ALL]


def _run(exercise, tmp_path, body, backend="ember", lang="en", source=None):
    path = tmp_path / exercise.filename
    text = exercise.file_text(lang, body, len(ALL)) if source is None else source
    path.write_text(text, encoding="utf-8")
    if backend == "ember":
        return evaluate(exercise, str(path), lang, torch=ember, importer=ember_importer())
    import torch
    return evaluate(exercise, str(path), lang, torch=torch)


def _skip_without_needs(exercise):
    for module in exercise.needs:
        pytest.importorskip(module, reason=f"exercise {exercise.name} needs {module} "
                                           "(the examples extra)")


def _failures(report):
    return [(c["title"], c["kind"], c["message"], c["expected"], c["got"])
            for c in report["checks"] if not c["ok"]]


def test_the_track_has_at_least_24_exercises_in_six_chapters():
    assert len(ALL) >= 24
    assert {e.chapter for e in ALL} == set(CHAPTERS) == {1, 2, 3, 4, 5, 6}
    assert [e.chapter for e in ALL] == sorted(e.chapter for e in ALL)
    assert [e.number for e in ALL] == list(range(1, len(ALL) + 1))


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_each_exercise_has_two_to_six_checks(exercise):
    assert 2 <= len(exercise.checks) <= 6


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_reference_solution_passes_on_ember(exercise, tmp_path):
    _skip_without_needs(exercise)
    report = _run(exercise, tmp_path, "solution")
    assert report["status"] == "pass", (_failures(report), report["error"])


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_untouched_starter_fails_every_check(exercise, tmp_path):
    _skip_without_needs(exercise)
    report = _run(exercise, tmp_path, "starter")
    assert report["status"] == "notdone", report
    assert len(report["checks"]) == len(exercise.checks)
    assert all(not c["ok"] for c in report["checks"]), "a check passes on the starter file"
    assert all(c["kind"] == "notdone" for c in report["checks"]), _failures(report)


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_reference_solution_passes_on_pytorch(exercise, tmp_path):
    pytest.importorskip("torch", reason="running the track on --backend torch needs PyTorch")
    _skip_without_needs(exercise)
    report = _run(exercise, tmp_path, "solution", backend="torch")
    assert report["status"] == "pass", (_failures(report), report["error"])


def test_untouched_starters_fail_on_pytorch_too(tmp_path):
    pytest.importorskip("torch", reason="running the track on --backend torch needs PyTorch")
    for exercise in ALL:
        report = _run(exercise, tmp_path, "starter", backend="torch")
        assert report["status"] == "notdone", exercise.name


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_files_are_python_programs_that_import_torch(exercise):
    for body in ("starter", "solution"):
        for lang in ("en", "zh"):
            tree = ast.parse(exercise.file_text(lang, body, len(ALL)))
            roots = {a.name.partition(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.Import) for a in n.names}
            roots |= {n.module.partition(".")[0] for n in ast.walk(tree)
                      if isinstance(n, ast.ImportFrom) and n.module}
            assert "torch" in roots
    assert "TODO" in exercise.starter


# ---------------------------------------------------------------- plausible mistakes

# (exercise, text in the solution, the mistake, the kind of failure, words of the message)
MISTAKES = [
    ("creation", "torch.tensor([[1.0, 2.0], [3.0, 4.0]])", "torch.tensor([[1, 2], [3, 4]])",
     "fail", "wrong dtype"),
    ("creation", "torch.arange(0, 2 * n, 2)", "torch.arange(0, 2 * n - 1, 1)", "fail",
     "wrong shape"),
    ("random", "torch.randint(1, 7, (n,))", "torch.randint(1, 6, (n,))", "fail",
     "every number from 1 to 6"),
    ("random", "    torch.manual_seed(seed)\n    return torch.randn(rows, cols)",
     "    torch.manual_seed(seed)\n    return torch.rand(rows, cols)", "fail", "randn, not rand"),
    ("views", "x.view(rows, -1)", "x.view(rows, -1).clone()", "fail", "it is a copy"),
    ("views", "m.t().reshape(-1)", "m.t().view(-1)", "error", "view size is not compatible"),
    ("dtypes", "t / 2", "t // 2", "fail", "wrong dtype"),
    ("broadcasting", "m * f.unsqueeze(1)", "m * f", "fail", "wrong values"),
    ("inplace", "t.mul_(k)", "t * k", "fail", "wrong values"),
    ("accumulation", "        if x.grad is not None:\n            x.grad.zero_()\n", "",
     "fail", "gradient of step 1"),
    ("no_grad", "t.detach()", "t.detach().clone()", "fail", "share memory"),
    ("manual_grad", "(2 * (w * x - y) * x).mean()", "(2 * (w * x - y)).mean()", "fail",
     "wrong values"),
    ("module", "return self.fc2(torch.relu(self.fc1(x)))", "return self.fc2(self.fc1(x))",
     "fail", "wrong values"),
    ("sequential", "nn.Sequential(*layers[:-1])", "nn.Sequential(*layers)", "fail",
     "wrong layers"),
    ("state_dict", "if p.requires_grad", "", "fail", "frozen parameters"),
    ("cross_entropy",
     "    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)",
     "    log_probs = torch.log(torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True))",
     "fail", "wrong values"),
    ("sgd", "    optimizer.zero_grad()\n", "", "fail", "zero the gradients"),
    ("lr_schedule", "step_size=10, gamma=0.5", "step_size=5, gamma=0.5", "fail",
     "learning rates per epoch"),
    ("dataloader", "shuffle=True, generator=generator", "shuffle=True", "fail",
     "different orders"),
    ("transforms", "return self.transform(x), y", "return x, y", "fail", "wrong values"),
    ("dataset", "torch.tensor([float(i)])", "torch.tensor([i])", "fail", "wrong dtype"),
    ("linear_regression", "    for _ in range(epochs):\n", "    for _ in range(1):\n",
     "fail", "fitted line is off"),
    ("train_eval", "    model.eval()\n    with torch.no_grad():\n        return model(x)",
     "    with torch.no_grad():\n        return model(x)", "fail", "second time"),
    ("checkpoint", '    optimizer.load_state_dict(checkpoint["optimizer"])\n', "", "fail",
     "one step after resuming"),
    ("devices", "return model.to(device)", "model.to(device)", "fail", "should return the model"),
]


@pytest.mark.parametrize("name,right,wrong,kind,words", MISTAKES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_a_plausible_mistake_fails_with_the_intended_message(name, right, wrong, kind, words,
                                                            tmp_path):
    exercise = by_name(name)
    solution = exercise.file_text("en", "solution", len(ALL))
    assert right in solution
    report = _run(exercise, tmp_path, None, source=solution.replace(right, wrong))
    bad = [c for c in report["checks"] if not c["ok"]]
    assert bad, f"the mistake in {name} passed every check"
    assert bad[0]["kind"] == kind, bad[0]
    text = " ".join(str(bad[0][k]) for k in ("message", "expected", "got", "title"))
    assert words in text, bad[0]


def test_the_chapters_of_the_mistakes_cover_the_whole_track():
    assert {by_name(m[0]).chapter for m in MISTAKES} == set(CHAPTERS)


# ---------------------------------------------------------------- other correct solutions

ALTERNATIVES = [
    ("views", "x.view(rows, -1)", "x.reshape(rows, len(x) // rows)"),
    ("views", "m.reshape(-1).clone()", "torch.flatten(m).clone()"),
    ("cat_stack", "torch.stack([a, b], dim=1)", "torch.stack([a, b]).t()"),
    ("indexing", "torch.stack([m[0, 0], m[0, -1], m[-1, 0], m[-1, -1]])",
     "m[[0, 0, -1, -1], [0, -1, 0, -1]]"),
    ("broadcasting", "(a[:, None] - b[None, :]).abs()", "(a.unsqueeze(1) - b).abs()"),
    ("inplace", "    t[t < 0] = 0\n    return t", "    return t.clamp_(min=0)"),
    ("mse", "((pred - target) ** 2).mean()", "(pred - target).pow(2).sum() / pred.numel()"),
    ("lr_schedule", "lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)",
     "lr_scheduler.LambdaLR(optimizer, lambda e: 0.5 ** (e // 10))"),
    ("no_grad", "        w -= lr * w.grad", "        w.sub_(lr * w.grad)"),
]


@pytest.mark.parametrize("name,right,other", ALTERNATIVES,
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(ALTERNATIVES)])
def test_a_different_correct_solution_passes(name, right, other, tmp_path):
    exercise = by_name(name)
    solution = exercise.file_text("en", "solution", len(ALL))
    assert right in solution
    report = _run(exercise, tmp_path, None, source=solution.replace(right, other))
    assert report["status"] == "pass", _failures(report)


# ---------------------------------------------------------------- reports

def test_a_learner_exception_shows_only_the_learners_frames(tmp_path):
    exercise = by_name("cat_stack")
    solution = exercise.file_text("en", "solution", len(ALL))
    broken = solution.replace("torch.cat([a, b], dim=1)", "torch.cat([a, b], dim=2)")
    report = _run(exercise, tmp_path, None, source=broken)
    error = next(c for c in report["checks"] if c["kind"] == "error")["message"]
    assert 'File "06_cat_stack.py"' in error and "in join_columns" in error
    assert "ember" not in error.split("\n")[0] and "site-packages" not in error
    assert all(line.startswith(("  File \"06_cat_stack.py\"", "    ")) or
               line == error.splitlines()[-1] for line in error.splitlines())


def test_prints_are_captured_and_cut(tmp_path):
    exercise = by_name("creation")
    solution = exercise.file_text("en", "solution", len(ALL))
    report = _run(exercise, tmp_path, None,
                  source=solution + "\nfor i in range(20000):\n    print('line', i)\n")
    assert report["status"] == "pass"
    out = report["output"]
    assert out["total"] > 100000 and len(out["text"]) <= out["limit"]


def test_a_missing_extra_names_the_package_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "sklearn", None)   # as if scikit-learn were absent
    monkeypatch.delitem(sys.modules, "sklearn.datasets", raising=False)
    report = _run(by_name("digits"), tmp_path, "solution")
    bad = [c for c in report["checks"] if not c["ok"]]
    assert bad and "pip install scikit-learn" in bad[0]["message"]


def test_find_accepts_numbers_names_and_file_names():
    views = by_name("views")
    assert find(str(views.number)) is views
    assert find("views") is views and find(views.filename) is views
    assert find(views.filename[:-3]) is views
    assert find("0") is None and find(str(len(ALL) + 1)) is None and find("nope") is None


def test_the_docs_page_lists_every_exercise_and_is_up_to_date():
    from ember.learn.catalog import render_markdown
    page = (ROOT / "docs" / "learn.md").read_text(encoding="utf-8")
    for e in ALL:
        assert f"`{e.name}`" in page
    assert page == render_markdown(), "regenerate: python -m ember.learn.catalog > docs/learn.md"


def test_the_readme_has_a_learning_section_with_a_transcript():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Learning PyTorch with ember" in readme
    section = readme.split("## Learning PyTorch with ember", 1)[1]
    assert "python -m ember.learn check" in section
    assert "FAIL" in section and "Passed!" in section
    assert f"a track of {len(ALL)} short exercises" in section
