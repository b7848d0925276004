"""SummaryWriter writes event files that TensorBoard's own reader loads, with the same tags
and values as PyTorch's writer produces for the same calls."""
import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the TensorBoard writer needs: pip install tensorboard")
pytest.importorskip("PIL", reason="images are encoded with Pillow")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa

import ember  # noqa: E402


def _log(lib, log_dir):
    from_numpy = lib.from_numpy
    with lib.utils.tensorboard.SummaryWriter(str(log_dir)) as w:
        for step in range(5):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_scalar("lr", from_numpy(np.array(0.25)), 7)
        w.add_scalars("acc", {"train": 0.9, "val": 0.8}, 3)
        w.add_histogram("weights", from_numpy(np.linspace(-1, 1, 101)), 2)
        w.add_image("img", from_numpy(np.linspace(0, 1, 3 * 8 * 6).reshape(3, 8, 6)), 1)
        w.add_images("grid", from_numpy(np.zeros((4, 3, 5, 5))), 1)
        w.add_text("note", "hello **world**", 0)
        w.add_hparams({"lr": 0.1, "bs": 32, "opt": "sgd"}, {"hparam/acc": 0.9},
                      run_name="hp")


def _read(path):
    acc = EventAccumulator(str(path), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def test_events_read_back_with_tensorboards_reader(tmp_path):
    _log(ember, tmp_path)
    acc = _read(tmp_path)
    tags = acc.Tags()
    assert tags["scalars"] == ["loss", "lr"] and tags["histograms"] == ["weights"]
    assert set(tags["images"]) == {"img", "grid"}
    assert tags["tensors"] == ["note/text_summary"]
    assert [(e.step, round(e.value, 4)) for e in acc.Scalars("loss")] == \
        [(0, 1.0), (1, 0.5), (2, 0.3333), (3, 0.25), (4, 0.2)]
    hist = acc.Histograms("weights")[0].histogram_value
    assert (hist.num, hist.min, hist.max) == (101, -1.0, 1.0)
    image = acc.Images("img")[0]
    assert (image.width, image.height) == (6, 8)
    assert _read(tmp_path / "acc_val").Scalars("acc")[0].value == pytest.approx(0.8)
    hp = _read(tmp_path / "hp")
    assert set(hp.PluginTagToContent("hparams")) == {
        "_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"}


def test_same_tags_and_values_as_torchs_writer(tmp_path):
    torch = pytest.importorskip("torch", reason="the comparison needs PyTorch")
    pytest.importorskip("torch.utils.tensorboard", reason="torch's writer needs tensorboard")
    _log(ember, tmp_path / "ember")
    _log(torch, tmp_path / "torch")
    for sub in ("", "acc_train", "acc_val", "hp"):
        e, t = _read(tmp_path / "ember" / sub), _read(tmp_path / "torch" / sub)
        assert e.Tags() == t.Tags(), sub
        for tag in t.Tags()["scalars"]:
            assert [(x.step, x.value) for x in e.Scalars(tag)] == \
                [(x.step, x.value) for x in t.Scalars(tag)]
    e, t = _read(tmp_path / "ember"), _read(tmp_path / "torch")
    eh = e.Histograms("weights")[0].histogram_value
    th = t.Histograms("weights")[0].histogram_value
    assert (eh.num, eh.sum, eh.sum_squares) == (th.num, th.sum, th.sum_squares)
    assert e.Images("img")[0].encoded_image_string == t.Images("img")[0].encoded_image_string


def test_default_log_dir_and_missing_features(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = ember.utils.tensorboard.SummaryWriter(comment="_exp")
    assert w.get_logdir().startswith("runs") and w.get_logdir().endswith("_exp")
    with pytest.raises(NotImplementedError, match="ember does not implement"):
        w.add_graph(ember.nn.Linear(2, 2))
    w.close()
