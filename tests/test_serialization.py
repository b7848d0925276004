"""ember.save / ember.load on their own: formats, sharing, safety, atomic saves, errors."""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember import serialization
from ember.serialization import _Global, _Pickler

ALL_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
              "bool", "complex64", "complex128"]


def _sample(dtype):
    values = np.arange(-3, 9).reshape(3, 4)
    if dtype == "bool":
        values = values % 2 == 0
    elif dtype.startswith("complex"):
        values = values + 0.5j * values[::-1]
    return ember.from_numpy(values.astype(getattr(ember, dtype).np))


def _round_trip(obj, **load_kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kw)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tensor_round_trips_with_values_and_dtype(dtype):
    t = _sample(dtype)
    out = _round_trip(t)
    assert out.dtype == t.dtype and out.shape == t.shape
    np.testing.assert_array_equal(out.numpy(), t.numpy())


def test_zero_dim_and_empty_tensors_round_trip():
    out = _round_trip({"scalar": ember.tensor(2.5), "empty": ember.zeros(0, 3)})
    assert out["scalar"].dim() == 0 and out["scalar"].item() == 2.5
    assert out["empty"].shape == ember.Size([0, 3])


def test_non_contiguous_tensor_round_trips_with_its_strides():
    t = ember.arange(12.0).reshape(3, 4).t()
    out = _round_trip(t)
    np.testing.assert_array_equal(out.numpy(), t.numpy())
    assert out.stride() == t.stride()


def test_negative_stride_view_is_saved_as_a_copy():
    t = ember.from_numpy(np.arange(6.0)[::-1])
    out = _round_trip(t)
    assert out.tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]


def test_tensor_and_its_slice_still_share_memory_after_loading():
    base = ember.arange(6.0).reshape(2, 3)
    out = _round_trip({"base": base, "col": base[:, 1]})
    out["col"][0] = 100.0
    assert out["base"][0, 1].item() == 100.0


def test_same_tensor_twice_loads_as_one_object():
    t = ember.ones(2)
    out = _round_trip([t, t])
    assert out[0] is out[1]


def test_separate_tensors_do_not_share_after_loading():
    out = _round_trip({"a": ember.zeros(2), "b": ember.zeros(2)})
    out["a"][0] = 1.0
    assert out["b"].tolist() == [0.0, 0.0]


def test_requires_grad_is_kept():
    out = _round_trip({"w": ember.ones(2, requires_grad=True), "x": ember.ones(2)})
    assert out["w"].requires_grad and not out["x"].requires_grad


def test_plain_python_values_and_torch_objects_round_trip():
    obj = collections.OrderedDict(
        size=ember.Size([2, 3]), dtype=ember.float16, device=ember.device("cpu"),
        nested={"list": [1, 2.5, None, True, "s"], "tuple": (1, (2, 3)), "set": {1, 2},
                "bytes": b"\x00\xff", "complex": 1 + 2j})
    out = _round_trip(obj)
    assert out == obj and type(out) is collections.OrderedDict
    assert type(out["size"]) is ember.Size and out["dtype"] is ember.float16


def test_loaded_tensor_memory_is_writable():
    out = _round_trip(ember.ones(3))
    out.add_(1)
    assert out.tolist() == [2.0, 2.0, 2.0]


def test_saving_to_a_path_and_a_pathlike(tmp_path):
    ember.save({"x": ember.ones(2)}, str(tmp_path / "a.pt"))
    ember.save({"x": ember.ones(2)}, tmp_path / "b.pt")
    assert ember.load(tmp_path / "a.pt")["x"].tolist() == ember.load(str(tmp_path / "b.pt"))[
        "x"].tolist() == [1.0, 1.0]


def test_file_is_a_zip_laid_out_like_torch(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"a": ember.ones(3), "b": ember.zeros(2, dtype=ember.int64)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "archive/data.pkl"
        assert {"archive/version", "archive/byteorder", "archive/data/0", "archive/data/1",
                "archive/.data/serialization_id"} <= set(names)
        assert zf.read("archive/byteorder") == b"little"
        assert zf.read("archive/data/0") == np.ones(3, np.float32).tobytes()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        data_pkl = zf.read("archive/data.pkl")
    assert data_pkl[:2] == b"\x80\x02"
    assert b"torch._utils\n_rebuild_tensor_v2\n" in data_pkl
    assert b"torch\nFloatStorage\n" in data_pkl and b"torch\nLongStorage\n" in data_pkl


def test_storage_records_are_64_byte_aligned(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save([ember.ones(i + 1) for i in range(5)], path)
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if "/data/" in info.filename:
                name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                               info.header_offset + 30])
                assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0


def test_mmap_load_gives_the_same_values(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"a": ember.arange(10.0), "b": ember.ones(2, 2)}, path)
    out = ember.load(path, mmap=True)
    assert out["a"].tolist() == list(np.arange(10.0)) and out["b"].sum().item() == 4.0


class Custom:
    def __init__(self, value):
        self.value = value


def test_weights_only_is_the_default_and_refuses_other_globals():
    buf = io.BytesIO()
    ember.save({"obj": Custom(3)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(buf)
    assert "test_serialization.Custom" in str(err.value)
    assert "weights_only=False" in str(err.value)


def test_weights_only_false_loads_arbitrary_objects():
    out = _round_trip({"obj": Custom(3)}, weights_only=False)
    assert isinstance(out["obj"], Custom) and out["obj"].value == 3


def test_add_safe_globals_allows_a_class():
    serialization.add_safe_globals([Custom])
    try:
        assert _round_trip(Custom(5)).value == 5
    finally:
        serialization.clear_safe_globals()


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def _torch_like_zip(data_pkl: bytes) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", data_pkl)
        zf.writestr("archive/version", "3\n")
        zf.writestr("archive/byteorder", "little")
    buf.seek(0)
    return buf


def test_malicious_pickle_in_a_checkpoint_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    evil = _torch_like_zip(pickle.dumps({"w": _Evil(marker)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="system") as err:
        ember.load(evil)
    assert "weights_only=False" in str(err.value)
    assert not marker.exists()


def test_malicious_legacy_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(pickle.dumps(_Evil(marker), protocol=2)))
    assert not marker.exists()


class _Overrun:
    """A tensor record claiming more elements than its storage holds."""

    def __reduce__(self):
        pid = ("storage", _Global("torch", "FloatStorage"), "0", "cpu", 4)
        return _Global("torch._utils", "_rebuild_tensor_v2"), (pid, 2, (100,), (1,), False,
                                                              collections.OrderedDict())


def test_tensor_overrunning_its_storage_is_refused():
    pkl = io.BytesIO()
    _Pickler(pkl).dump(_Overrun())
    buf = _torch_like_zip(pkl.getvalue())
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("archive/data/0", np.zeros(4, np.float32).tobytes())
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="overruns its storage"):
        ember.load(buf)


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(1000)}, path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(RuntimeError, match="truncated or corrupted"):
        ember.load(path)


def test_corrupted_storage_bytes_are_detected(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(1000)}, path)
    raw = bytearray(path.read_bytes())
    at = raw.find(np.ones(4, np.float32).tobytes())
    raw[at + 1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="corrupted"):
        ember.load(path)


def test_non_checkpoint_file_is_rejected(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a checkpoint")
    with pytest.raises(RuntimeError, match="not a checkpoint"):
        ember.load(path)


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty"):
        ember.load(path)


def test_zip_without_data_pkl_is_rejected():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("something/else.txt", "x")
    buf.seek(0)
    with pytest.raises(RuntimeError, match="no 'data.pkl'"):
        ember.load(buf)


def test_interrupted_save_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()
    real_write = serialization._write_record

    def write_half_then_fail(zf, name, data, align=False):
        if "/data/" in name:
            raise OSError(28, "No space left on device")
        real_write(zf, name, data, align)

    monkeypatch.setattr(serialization, "_write_record", write_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        ember.save({"w": ember.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_save_into_a_missing_directory_raises_like_torch(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save(ember.ones(1), tmp_path / "missing" / "x.pt")


def test_save_to_a_non_seekable_stream():
    class Sink(io.RawIOBase):
        def __init__(self):
            self.chunks = []

        def writable(self):
            return True

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)

    sink = Sink()
    ember.save({"a": ember.ones(2)}, sink)
    assert ember.load(io.BytesIO(b"".join(sink.chunks)))["a"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("map_location", ["cpu", ember.device("cpu"), {"cpu": "cpu"}])
def test_map_location_forms_are_accepted(map_location):
    assert _round_trip(ember.ones(2), map_location=map_location).tolist() == [1.0, 1.0]


def test_map_location_callable_sees_each_storage_and_its_location():
    seen = []
    out = _round_trip({"a": ember.ones(2), "b": ember.zeros(3)},
                      map_location=lambda storage, loc: seen.append((storage.numel(), loc)))
    assert sorted(seen) == [(2, "cpu"), (3, "cpu")] and out["b"].tolist() == [0.0] * 3


@pytest.mark.skipif(ember.cuda.is_available(), reason="needs a machine without CUDA")
def test_restoring_onto_a_missing_cuda_device_raises():
    with pytest.raises(RuntimeError, match="CUDA"):
        _round_trip(ember.ones(2), map_location="cuda")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_safetensors_round_trip_by_extension(tmp_path, dtype):
    path = tmp_path / "w.safetensors"
    t = _sample(dtype)
    ember.save({"t": t, "other": ember.ones(1)}, path)
    out = ember.load(path)
    assert set(out) == {"t", "other"} and out["t"].dtype == t.dtype
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())


def test_safetensors_header_layout_and_metadata():
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2, 3)}, buf, format="safetensors", metadata={"step": "7"})
    raw = buf.getvalue()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert (8 + n) % 8 == 0
    assert header["__metadata__"] == {"step": "7"}
    assert header["w"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    buf.seek(0)
    assert ember.load(buf)["w"].shape == ember.Size([2, 3])  # detected without format=


def test_safetensors_bf16_is_read_as_float32():
    words = (np.array([1.5, -2.0, 3.25], np.float32).view(np.uint32) >> 16).astype("<u2")
    header = json.dumps({"x": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]}})
    header += " " * (-len(header) % 8)
    raw = struct.pack("<Q", len(header)) + header.encode() + words.tobytes()
    out = ember.load(io.BytesIO(raw), format="safetensors")
    assert out["x"].dtype == ember.float32 and out["x"].tolist() == [1.5, -2.0, 3.25]


def test_safetensors_refuses_non_tensor_values():
    with pytest.raises(TypeError, match="flat dict"):
        ember.save({"a": [1, 2]}, io.BytesIO(), format="safetensors")


def test_truncated_safetensors_gives_a_clear_error(tmp_path):
    path = tmp_path / "w.safetensors"
    ember.save({"w": ember.ones(100)}, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="corrupted or truncated"):
        ember.load(path)


def test_force_weights_only_switches_follow_torch(tmp_path, monkeypatch):
    import numpy as np
    path = tmp_path / "arrays.pt"
    ember.save({"a": np.arange(3)}, path)  # a pickled NumPy array: refused by weights-only
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(path)
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="forcing weights_only=False"):
        assert ember.load(path)["a"].tolist() == [0, 1, 2]
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(path, weights_only=True)  # an explicit argument still wins
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(RuntimeError, match="Only one of"):
        ember.load(path)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(path, weights_only=False)  # forced on, whatever the argument


class _Point:
    def __init__(self, x):
        self.x = x


def test_safe_globals_context_allows_a_class_only_inside(tmp_path):
    path = tmp_path / "point.pt"
    ember.save(_Point(3), path)
    with ember.serialization.safe_globals([_Point]):
        assert ember.load(path).x == 3
    assert _Point not in ember.serialization.get_safe_globals()
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(path)


def test_safetensors_safe_open_for_pytorch_through_the_runner(tmp_path):
    # safetensors' own reader builds torch tensors from torch.UntypedStorage.from_file;
    # under the runner that torch is ember
    pytest.importorskip("safetensors", reason="needs the safetensors extra")
    import subprocess
    import sys
    script = tmp_path / "read.py"
    script.write_text(
        "import torch\n"
        "from safetensors import safe_open\n"
        "from safetensors.torch import save_file\n"
        f"path = {str(tmp_path / 'w.safetensors')!r}\n"
        "save_file({'a': torch.arange(6.).reshape(2, 3), 'b': torch.tensor([1, 2])}, path)\n"
        "with safe_open(path, framework='pt', device='cpu') as f:\n"
        "    print(f.get_tensor('a').tolist(), f.get_tensor('b').dtype,\n"
        "          f.get_slice('a')[:, 1:].tolist())\n")
    out = subprocess.run([sys.executable, "-m", "ember.run", str(script)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == \
        "[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] torch.int64 [[1.0, 2.0], [4.0, 5.0]]"
