"""torch.onnx.export: exported models pass onnx.checker and run in onnxruntime with the
outputs ember computes (and, on the same weights, torch computes)."""
import io

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx package")
ort = pytest.importorskip("onnxruntime", reason="running exported models needs onnxruntime")


def _digits_cnn(nn):
    """The CNN of ``ember.examples.digits`` (built here from the given ``nn`` namespace)."""
    class DigitsCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(64 * 2 * 2, 128), nn.ReLU(), nn.Dropout(0.2),
                nn.Linear(128, 10))

        def forward(self, x):
            return self.classifier(self.features(x))
    return DigitsCNN()


def _run(model, *inputs, rtol=1e-4, atol=1e-5, **kwargs):
    buf = io.BytesIO()
    proto = ember.onnx.export(model, inputs, buf, **kwargs)
    onnx.checker.check_model(proto)
    sess = ort.InferenceSession(buf.getvalue())
    return sess, proto


def _check(model, *inputs, **kwargs):
    model.eval()
    sess, proto = _run(model, *inputs, **kwargs)
    names = [i.name for i in sess.get_inputs()]
    got = sess.run(None, {n: x.numpy() for n, x in zip(names, inputs)})
    expected = model(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e.detach().numpy(), rtol=1e-4, atol=1e-5)
    return sess, proto


def test_digits_cnn_with_dynamic_batch():
    m = _digits_cnn(nn).eval()
    sess, proto = _check(m, ember.randn(2, 1, 8, 8), input_names=["images"],
                         output_names=["logits"],
                         dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})
    x = ember.randn(7, 1, 8, 8)
    np.testing.assert_allclose(sess.run(None, {"images": x.numpy()})[0],
                               m(x).detach().numpy(), rtol=1e-4, atol=1e-5)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "Relu", "MaxPool", "MatMul"}


class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 8)
        self.norm = nn.LayerNorm(8)
        self.bn = nn.BatchNorm1d(5)
        self.fc = nn.Linear(8, 4)

    def forward(self, idx):
        h = self.bn(self.norm(self.emb(idx)))
        h = F.gelu(h) * 0.5 + ember.sigmoid(h) - ember.tanh(h) / 3
        h = h.transpose(1, 2).reshape(idx.shape[0], -1, 5).mean(dim=-1)
        return F.softmax(self.fc(h), dim=-1), F.log_softmax(h[:, 1:], dim=1).sum(dim=1)


def test_embedding_norms_activations_reshapes_reductions():
    m = Mixed()
    idx = ember.randint(0, 10, (3, 5))
    _check(m, idx)


class Convs(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 4, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.up = nn.ConvTranspose2d(4, 2, 2, stride=2)
        self.pool = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        h = F.relu(self.bn(self.c(x)))
        h = self.pool(self.up(h)) + x[:, :, ::2, ::2]
        return self.drop(self.gap(h).flatten(1))


def test_convolutions_pools_and_residual():
    m = Convs()
    m.train()
    m(ember.randn(4, 2, 8, 8))  # move the running statistics off their defaults
    _check(m, ember.randn(3, 2, 8, 8))
    assert m.training is False  # _check put it in eval; export restores the given mode


def test_export_restores_training_mode_and_writes_file(tmp_path):
    m = nn.Sequential(nn.Linear(3, 2), nn.Dropout())
    path = tmp_path / "m.onnx"
    ember.onnx.export(m, (ember.randn(1, 3),), str(path), export_params=True)
    assert m.training
    onnx.checker.check_model(onnx.load(str(path)))


def test_unsupported_op_names_op_and_opset():
    m = nn.Sequential(nn.Linear(4, 4), nn.Mish())
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="'Mish'.*opset version 17"):
        ember.onnx.export(m, (ember.randn(2, 4),), io.BytesIO())

    class Cum(nn.Module):
        def forward(self, x):
            return ember.cumsum(x, 0)
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="'cumsum'.*opset version 13"):
        ember.onnx.export(Cum(), (ember.randn(3),), io.BytesIO(), opset_version=13)


def test_parameters_as_inputs_without_export_params():
    m = nn.Linear(3, 2)
    _, proto = _run(m, ember.randn(2, 3), export_params=False)
    assert not proto.graph.initializer or all("weight" not in i.name
                                              for i in proto.graph.initializer)
    assert {"weight", "bias"} <= {i.name for i in proto.graph.input}


def test_matches_torch_on_same_weights():
    torch = pytest.importorskip("torch", reason="differential check needs PyTorch")
    m = _digits_cnn(nn).eval()
    buf = io.BytesIO()
    ember.onnx.export(m, (ember.randn(1, 1, 8, 8),), buf, input_names=["x"],
                      dynamic_axes={"x": [0]})
    sess = ort.InferenceSession(buf.getvalue())
    tm = _digits_cnn(torch.nn).eval()
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in m.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(sess.run(None, {"x": x})[0],
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("batch_first,bidirectional,layers", [(True, False, 1), (False, True, 2)])
def test_recurrent_classifier(kind, batch_first, bidirectional, layers):
    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, kind)(3, 5, num_layers=layers, batch_first=batch_first,
                                         bidirectional=bidirectional)
            self.fc = nn.Linear(5 * (2 if bidirectional else 1), 2)

        def forward(self, x):
            out, state = self.rnn(x)
            h = state[0] if kind == "LSTM" else state
            return self.fc(out[:, -1] if batch_first else out[-1]), h
    _check(Classifier(), ember.randn(4, 6, 3))


@pytest.mark.parametrize("batch_first,norm_first,activation",
                         [(True, False, "relu"), (False, True, "gelu")])
def test_transformer_encoder_and_attention(batch_first, norm_first, activation):
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=batch_first,
                                               norm_first=norm_first, activation=activation)
            self.encoder = nn.TransformerEncoder(layer, 2)
            self.attn = nn.MultiheadAttention(8, 2, batch_first=batch_first)

        def forward(self, x):
            h = self.encoder(x)
            a, w = self.attn(h, h, h)
            return a + h, w
    _check(Model(), ember.randn(3, 5, 8), input_names=["x"],
           dynamic_axes={"x": {0: "d0"}})


def test_digits_example_exports_onnx(tmp_path):
    import subprocess
    import sys
    for name in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(name, reason="the digits example needs " + name)
    path = tmp_path / "digits.onnx"
    subprocess.run([sys.executable, "-m", "ember.examples.digits", "--epochs", "1", "--out",
                    str(tmp_path), "--export-onnx", str(path)], check=True,
                   capture_output=True, timeout=300)
    sess = ort.InferenceSession(str(path))
    out = sess.run(None, {"images": np.zeros((3, 1, 8, 8), np.float32)})[0]
    assert out.shape == (3, 10)


def test_resnet18():
    # torchvision's resnet18 (ember.vision.models) at a small input: convolutions, batch
    # norms with moved statistics, residual adds, max and adaptive average pooling
    from ember.vision.models import resnet18
    ember.manual_seed(0)
    model = resnet18(num_classes=10)
    model.train()
    with ember.no_grad():
        model(ember.randn(4, 3, 64, 64))
    _check(model, ember.randn(2, 3, 64, 64))
