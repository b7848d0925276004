"""Summary protocol buffers for scalars, histograms, images, text and hyperparameters,
made with the ``tensorboard`` package's message classes."""
from __future__ import annotations

import io

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

__all__ = ["scalar", "histogram", "image", "text", "hparams", "to_numpy"]


def to_numpy(value) -> np.ndarray:
    """Tensors (detached, on the CPU), arrays, and Python numbers as a NumPy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def scalar(tag: str, value, new_style: bool = False,
           double_precision: bool = False) -> Summary:
    """One scalar value under ``tag``."""
    value = float(to_numpy(value).reshape(()))
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=value)])
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    tensor = TensorProto(dtype="DT_DOUBLE" if double_precision else "DT_FLOAT",
                         tensor_shape=TensorShapeProto())
    if double_precision:
        tensor.double_val.append(value)
    else:
        tensor.float_val.append(value)
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=meta)])


def _tensorflow_bins() -> np.ndarray:
    """TensorFlow's default bucket edges: 1.1-spaced magnitudes from 1e-12 to 1e20, both
    signs, and 0."""
    edges = [1e-12]
    while edges[-1] < 1e20:
        edges.append(edges[-1] * 1.1)
    pos = np.array(edges)
    return np.concatenate([-pos[::-1], [0.0], pos])


def histogram(tag: str, values, bins="tensorflow", max_bins=None) -> Summary:
    """The distribution of ``values`` under ``tag`` (empty edge buckets trimmed)."""
    data = to_numpy(values).astype(np.float64).reshape(-1)
    if data.size == 0:
        raise ValueError("The input has no element.")
    edges = _tensorflow_bins() if isinstance(bins, str) and bins == "tensorflow" else bins
    counts, limits = np.histogram(data, bins=edges)
    nonzero = np.nonzero(counts)[0]
    start, end = (nonzero[0], nonzero[-1] + 1) if nonzero.size else (0, 0)
    counts = counts[start:end]
    limits = limits[start + 1:end + 1]
    hist = HistogramProto(min=float(data.min()), max=float(data.max()), num=int(data.size),
                          sum=float(data.sum()), sum_squares=float((data * data).sum()),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def _hwc_uint8(img: np.ndarray, dataformats: str) -> np.ndarray:
    order = dataformats.upper()
    if img.ndim == 2 and order == "HW":
        img = img[:, :, None]
    elif order == "CHW":
        img = img.transpose(1, 2, 0)
    elif order != "HWC":
        raise ValueError(f"unsupported dataformats {dataformats!r} for one image")
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    if img.dtype != np.uint8:  # floats are in [0, 1]; scaled in float32 and truncated
        img = (img.astype(np.float32) * 255).clip(0, 255).astype(np.uint8)
    return img


def image(tag: str, img, dataformats: str = "CHW") -> Summary:
    """One image (float values in [0, 1] or uint8) as an encoded PNG under ``tag``."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Writing images to TensorBoard needs Pillow: pip install pillow") \
            from None
    arr = _hwc_uint8(to_numpy(img), dataformats)
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, format="PNG")
    h, w, c = arr.shape
    encoded = Summary.Image(height=h, width=w, colorspace=c,
                            encoded_image_string=buffer.getvalue())
    return Summary(value=[Summary.Value(tag=tag, image=encoded)])


def text(tag: str, text_string: str) -> Summary:
    """A Markdown text under ``tag``, for TensorBoard's text dashboard."""
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="text"))
    tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta,
                                        tensor=tensor)])


def _hparams_summary(tag: str, **content) -> Summary:
    from tensorboard.plugins.hparams import plugin_data_pb2
    data = plugin_data_pb2.HParamsPluginData(version=0, **content)
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="hparams", content=data.SerializeToString()))
    return Summary(value=[Summary.Value(tag=tag, metadata=meta)])


def hparams(hparam_dict: dict, metric_dict: dict) -> tuple[Summary, Summary, Summary]:
    """The experiment, session-start and session-end summaries of one hyperparameter run."""
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
    start = plugin_data_pb2.SessionStartInfo()
    infos = []
    for key, value in hparam_dict.items():
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, bool):
            start.hparams[key].bool_value = value
            kind = api_pb2.DATA_TYPE_BOOL
        elif isinstance(value, (int, float)):
            start.hparams[key].number_value = value
            kind = api_pb2.DATA_TYPE_FLOAT64
        elif isinstance(value, str):
            start.hparams[key].string_value = value
            kind = api_pb2.DATA_TYPE_STRING
        elif value is None:
            continue
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        infos.append(api_pb2.HParamInfo(name=key, type=kind))
    experiment = api_pb2.Experiment(
        hparam_infos=infos,
        metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS)
    return (_hparams_summary("_hparams_/experiment", experiment=experiment),
            _hparams_summary("_hparams_/session_start_info", session_start_info=start),
            _hparams_summary("_hparams_/session_end_info", session_end_info=end))
