"""default_collate and default_convert on every supported element type."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", "x y")


def test_tensors_are_stacked():
    out = default_collate([ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])])
    assert out.shape == (2, 2) and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_mismatched_tensor_sizes():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[3\] at entry 0 and \[4\] at entry 1"):
        default_collate([ember.zeros(3), ember.zeros(4)])


def test_mixed_tensor_dtypes_promote():
    out = default_collate([ember.tensor([1, 2]), ember.tensor([0.5, 1.5])])
    assert out.dtype == ember.float32


def test_python_floats_become_float64():
    out = default_collate([1.5, 2.5])
    assert out.dtype == ember.float64 and out.tolist() == [1.5, 2.5]


def test_python_ints_become_int64():
    assert default_collate([1, 2]).dtype == ember.int64


def test_bools_become_bool_tensor():
    out = default_collate([True, False])
    assert out.dtype == ember.bool and out.tolist() == [True, False]


def test_numpy_arrays_and_scalars_keep_their_dtype():
    assert default_collate([np.zeros(2, np.int32), np.ones(2, np.int32)]).dtype == ember.int32
    assert default_collate([np.float32(1), np.float32(2)]).dtype == ember.float32
    assert default_collate([np.int64(1), np.int64(2)]).tolist() == [1, 2]


def test_numpy_string_arrays_are_rejected():
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <U1"):
        default_collate([np.array(["a"])])


def test_strings_and_bytes_stay_lists():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_dicts_collate_per_key():
    out = default_collate([{"x": 1, "s": "a"}, {"x": 2, "s": "b"}])
    assert out["x"].tolist() == [1, 2] and out["s"] == ["a", "b"]


def test_ordered_dict_keeps_its_type():
    d = collections.OrderedDict(a=1)
    assert isinstance(default_collate([d, d]), collections.OrderedDict)


def test_tuples_become_lists_of_columns():
    out = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(out, list)
    assert out[0].tolist() == [1, 3] and out[1].dtype == ember.float64


def test_namedtuples_keep_their_type():
    out = default_collate([Point(1, 2), Point(3, 4)])
    assert isinstance(out, Point) and out.x.tolist() == [1, 3]


def test_nested_structures():
    batch = [{"img": ember.zeros(2), "meta": [1, "a"]}, {"img": ember.ones(2), "meta": [2, "b"]}]
    out = default_collate(batch)
    assert out["img"].shape == (2, 2)
    assert out["meta"][0].tolist() == [1, 2] and out["meta"][1] == ("a", "b")


def test_uneven_lists():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           "size"):
        default_collate([[1, 2], [1]])


def test_unsupported_type():
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object()])


def test_default_convert_turns_arrays_into_tensors_without_batching():
    out = default_convert({"a": np.arange(3), "b": (np.float64(1.0), "s")})
    assert isinstance(out["a"], ember.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and out["b"][0].dtype == ember.float64
    assert out["b"][1] == "s"


def test_default_convert_leaves_numbers_alone():
    assert default_convert(3) == 3
