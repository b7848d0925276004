"""Checkpoints exchanged with real PyTorch: ember.save -> torch.load and torch.save ->
ember.load, for every dtype, views and shared storages, parameters, state dicts of modules
and optimizers, the legacy format, and safetensors through the safetensors package."""
import collections
import io
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="interop tests need PyTorch as the reference")

import ember  # noqa: E402

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64", "complex128"]


def _values(dtype):
    values = np.arange(-5, 7).reshape(3, 4)
    if dtype == "bool":
        values = values % 3 == 0
    elif dtype.startswith("complex"):
        values = values - 0.25j * values[::-1]
    return values.astype(getattr(ember, dtype).np)


def _ember_to_torch(obj, weights_only=True):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=weights_only)


def _torch_to_ember(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    buf.seek(0)
    return ember.load(buf)


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_loads_ember_tensors_of_every_dtype(dtype, weights_only):
    values = _values(dtype)
    out = _ember_to_torch({"t": ember.from_numpy(values)}, weights_only)
    assert out["t"].dtype == getattr(torch, dtype)
    np.testing.assert_array_equal(out["t"].numpy(), values)


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_loads_torch_tensors_of_every_dtype(dtype):
    values = _values(dtype)
    out = _torch_to_ember({"t": torch.from_numpy(values)})
    assert out["t"].dtype == getattr(ember, dtype)
    np.testing.assert_array_equal(out["t"].numpy(), values)


def test_ember_loads_torch_bfloat16_as_float32_values():
    t = torch.tensor([1.5, -2.0, 3.140625], dtype=torch.bfloat16)
    out = _torch_to_ember(t)
    assert out.dtype == ember.float32
    np.testing.assert_array_equal(out.numpy(), t.float().numpy())


def test_zero_dim_empty_and_non_contiguous_tensors_reach_torch():
    base = ember.arange(12.0).reshape(3, 4)
    out = _ember_to_torch({"s": ember.tensor(7), "e": ember.zeros(0, 2), "t": base.t(),
                           "sl": base[1:, ::2]})
    assert out["s"].dim() == 0 and out["s"].item() == 7
    assert out["e"].shape == torch.Size([0, 2])
    np.testing.assert_array_equal(out["t"].numpy(), base.t().numpy())
    np.testing.assert_array_equal(out["sl"].numpy(), base[1:, ::2].numpy())
    assert out["t"].stride() == (1, 4)


def test_shared_storage_stays_shared_in_torch():
    base = ember.arange(6.0).reshape(2, 3)
    out = _ember_to_torch({"base": base, "row": base[1], "col": base[:, 2]})
    assert out["row"].untyped_storage().data_ptr() == out["base"].untyped_storage().data_ptr()
    out["col"][0] = -1.0
    assert out["base"][0, 2].item() == -1.0


def test_shared_storage_from_torch_stays_shared_in_ember():
    base = torch.arange(12.0).reshape(3, 4)
    out = _torch_to_ember({"base": base, "view": base[1:, 1:3], "t": base.t()})
    np.testing.assert_array_equal(out["view"].numpy(), base[1:, 1:3].numpy())
    np.testing.assert_array_equal(out["t"].numpy(), base.t().numpy())
    out["view"][0, 0] = 100.0
    assert out["base"][1, 1].item() == 100.0 and out["t"][1, 1].item() == 100.0


def test_torch_objects_map_both_ways():
    t_obj = {"size": torch.Size([2, 3]), "dtype": torch.float64, "device": torch.device("cpu"),
             "nested": [1, (2.5, "x"), {"set": {3}}, None, b"\x01", 1 + 1j]}
    e_obj = _torch_to_ember(t_obj)
    assert type(e_obj["size"]) is ember.Size and e_obj["size"] == (2, 3)
    assert e_obj["dtype"] is ember.float64 and e_obj["device"] == ember.device("cpu")
    assert e_obj["nested"] == t_obj["nested"]
    back = _ember_to_torch(e_obj)
    assert back == t_obj and type(back["size"]) is torch.Size


def test_requires_grad_crosses_both_ways():
    assert _ember_to_torch(ember.ones(2, requires_grad=True)).requires_grad
    assert _torch_to_ember(torch.ones(2, requires_grad=True)).requires_grad


def test_torch_parameter_loads_into_ember():
    out = _torch_to_ember({"p": torch.nn.Parameter(torch.ones(2, 2))})
    assert isinstance(out["p"], ember.nn.Parameter) and out["p"].requires_grad
    assert out["p"].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_torch_module_state_dict_loads_into_ember():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    sd = model.state_dict()
    out = _torch_to_ember(sd)
    assert type(out) is collections.OrderedDict and list(out) == list(sd)
    for key, value in sd.items():
        assert out[key].dtype == getattr(ember, str(value.dtype)[6:])
        np.testing.assert_array_equal(out[key].numpy(), value.numpy())


def test_ember_parameter_loads_as_a_torch_parameter():
    out = _ember_to_torch({"p": ember.nn.Parameter(ember.ones(2))})
    assert isinstance(out["p"], torch.nn.Parameter) and out["p"].tolist() == [1.0, 1.0]


def test_ember_module_state_dict_loads_into_torch():
    model = ember.nn.Linear(4, 3)
    out = _ember_to_torch(model.state_dict())
    ref = torch.nn.Linear(4, 3)
    ref.load_state_dict(out)
    np.testing.assert_array_equal(ref.weight.detach().numpy(), model.weight.detach().numpy())


def _adam_pair():
    rng = np.random.default_rng(0)
    init = rng.standard_normal((3, 2))
    tp, ep = torch.tensor(init, requires_grad=True), ember.tensor(init, requires_grad=True)
    to, eo = torch.optim.Adam([tp], lr=0.1, amsgrad=True), ember.optim.Adam([ep], lr=0.1,
                                                                           amsgrad=True)
    for _ in range(3):
        g = rng.standard_normal((3, 2))
        tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
        to.step()
        eo.step()
    return (tp, to), (ep, eo)


def test_torch_optimizer_checkpoint_resumes_in_ember():
    (tp, to), (ep, eo) = _adam_pair()
    sd = _torch_to_ember(to.state_dict())
    fresh = ember.optim.Adam([ep], lr=5.0)
    fresh.load_state_dict(sd)
    g = np.ones((3, 2))
    tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
    to.step()
    fresh.step()
    np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-12)


def test_ember_optimizer_checkpoint_resumes_in_torch_with_weights_only():
    (tp, to), (ep, eo) = _adam_pair()
    sd = _ember_to_torch(eo.state_dict(), weights_only=True)
    assert sd["state"][0]["step"].dtype == torch.float32
    fresh = torch.optim.Adam([tp], lr=5.0)
    fresh.load_state_dict(sd)
    g = np.ones((3, 2))
    tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
    fresh.step()
    eo.step()
    np.testing.assert_allclose(tp.detach().numpy(), ep.detach().numpy(), rtol=1e-12)


def test_ember_reads_torch_files_from_a_path(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"w": torch.arange(4.0)}, path)
    assert ember.load(path)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ember.load(str(path), mmap=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_torch_reads_ember_files_from_a_path_with_mmap(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"w": ember.arange(100.0)}, path)
    out = torch.load(path, mmap=True)
    np.testing.assert_array_equal(out["w"].numpy(), np.arange(100.0, dtype=np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "float16",
                                   "complex64"])
def test_ember_reads_the_legacy_format(dtype):
    values = _values(dtype)
    base = torch.from_numpy(values)
    out = _torch_to_ember({"t": base, "view": base[1]}, _use_new_zipfile_serialization=False)
    np.testing.assert_array_equal(out["t"].numpy(), values)
    out["view"][0] = out["view"][1]
    np.testing.assert_array_equal(out["t"][1].numpy(), out["view"].numpy())


def _torch_to_ember_with(obj, **load_kw):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kw)


def test_torch_map_location_style_callable_works_on_torch_files():
    out = _torch_to_ember_with(torch.ones(2), map_location=lambda storage, loc: storage)
    assert out.tolist() == [1.0, 1.0]


Point = collections.namedtuple("Point", "x y")


def test_ember_refuses_a_torch_saved_custom_object_by_default():
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        _torch_to_ember_with({"p": Point(1, 2)})


def test_ember_loads_a_torch_saved_custom_object_when_allowed():
    assert _torch_to_ember_with({"p": Point(1, 2)}, weights_only=False) == {"p": Point(1, 2)}


def test_safetensors_written_by_the_package_load_in_ember(tmp_path):
    st = pytest.importorskip("safetensors.numpy", reason="needs the safetensors package")
    path = tmp_path / "w.safetensors"
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3),
              "b": np.array([1, -2], dtype=np.int64), "c": np.array([True, False]),
              "d": np.arange(3, dtype=np.float16)}
    st.save_file(arrays, str(path), metadata={"k": "v"})
    out = ember.load(path)
    for key, value in arrays.items():
        assert out[key].numpy().dtype == value.dtype
        np.testing.assert_array_equal(out[key].numpy(), value)


def test_safetensors_written_by_ember_load_in_the_package(tmp_path):
    st = pytest.importorskip("safetensors", reason="needs the safetensors package")
    from safetensors.numpy import load_file
    path = tmp_path / "w.safetensors"
    tensors = {"w": ember.arange(12.0).reshape(3, 4).t(), "i": ember.tensor([1, 2, 3]),
               "h": ember.ones(2, dtype=ember.float16), "z": ember.zeros(0)}
    ember.save(tensors, path, metadata={"epoch": "3"})
    out = load_file(str(path))
    for key, value in tensors.items():
        np.testing.assert_array_equal(out[key], value.numpy())
    with st.safe_open(str(path), framework="numpy") as f:
        assert f.metadata() == {"epoch": "3"}


def test_bfloat16_safetensors_from_torch_load_as_float32(tmp_path):
    st = pytest.importorskip("safetensors.torch", reason="needs the safetensors package")
    path = tmp_path / "bf16.safetensors"
    t = torch.tensor([0.5, -1.25, 7.0], dtype=torch.bfloat16)
    st.save_file({"x": t}, str(path))
    assert ember.load(path)["x"].tolist() == [0.5, -1.25, 7.0]
