"""The bundled examples run end to end, as ``python -m ember.examples.X`` and through the
drop-in runner, and leave their outputs behind."""
import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "src", "ember", "examples")


def run(args, cwd):
    out = subprocess.run([sys.executable] + args, cwd=cwd, capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, MPLBACKEND="Agg"))
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_digits_trains_saves_a_torch_checkpoint_and_a_plot(tmp_path):
    pytest.importorskip("sklearn", reason="the digits example needs scikit-learn")
    pytest.importorskip("tqdm", reason="the digits example needs tqdm")
    pytest.importorskip("matplotlib", reason="the digits example plots with matplotlib")
    stdout = run(["-m", "ember.examples.digits", "--epochs", "2", "--out", str(tmp_path)],
                 tmp_path)
    acc = float(stdout.split("test accuracy:")[1].split("%")[0])
    assert acc > 80.0
    assert (tmp_path / "digits_curves.png").stat().st_size > 1000
    ckpt = tmp_path / "digits_cnn.pt"
    torch = pytest.importorskip("torch", reason="reading the checkpoint needs real PyTorch")
    state = torch.load(ckpt, weights_only=True)
    assert state["features.0.weight"].shape == (32, 1, 3, 3)


def test_linear_regression_recovers_the_line(tmp_path):
    pytest.importorskip("matplotlib", reason="the example plots its fit with matplotlib")
    stdout = run(["-m", "ember.examples.linear_regression", "--out", str(tmp_path)], tmp_path)
    fitted = stdout.split("fitted: y = ")[1].split()
    w, b = float(fitted[0]), float(fitted[3])
    assert abs(w - 2.0) < 0.1 and abs(b - 1.0) < 0.1
    assert (tmp_path / "linear_regression.png").exists()


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_mnist_example_runs_on_fake_data_through_the_runner(tmp_path, model):
    pytest.importorskip("PIL", reason="FakeData makes PIL images: pip install pillow")
    script = os.path.join(EXAMPLES, "mnist.py")
    stdout = run(["-m", "ember.run", script, "--model", model, "--epochs", "1",
                  "--fake-size", "128", "--data", str(tmp_path)], tmp_path)
    assert "FakeData" in stdout and "epoch 1:" in stdout
