"""The torchvision model zoo: documented parameter counts, state_dict keys and shapes,
a forward and backward of each family, weights enums, presets and the hub cache.

torchvision itself cannot be installed beside torch 2.13 here, so the expectations are its
documented facts: the num_params of each weights table, the state_dict key layout, output
shapes. Checkpoints written by real torch check that its files load strictly.
"""
import hashlib
import os
import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ember
import ember.nn.init as init
from ember import hub
from ember.vision import models
from ember.vision.models import ResNet18_Weights, Weights, WeightsEnum

BIG = bool(os.environ.get("EMBER_TEST_BIG_MODELS"))

# num_params from the weights tables of torchvision's documentation
DOCUMENTED_PARAMS = {
    "resnet18": 11689512, "resnet34": 21797672, "resnet50": 25557032, "resnet101": 44549160,
    "resnet152": 60192808, "resnext50_32x4d": 25028904, "resnext101_32x8d": 88791336,
    "resnext101_64x4d": 83455272, "wide_resnet50_2": 68883240, "wide_resnet101_2": 126886696,
    "vgg11": 132863336, "vgg11_bn": 132868840, "vgg13": 133047848, "vgg13_bn": 133053736,
    "vgg16": 138357544, "vgg16_bn": 138365992, "vgg19": 143667240, "vgg19_bn": 143678248,
    "alexnet": 61100840, "squeezenet1_0": 1248424, "squeezenet1_1": 1235496,
    "densenet121": 7978856, "densenet161": 28681000, "densenet169": 14149480,
    "densenet201": 20013928, "googlenet": 6624904, "inception_v3": 27161264,
    "mobilenet_v2": 3504872, "mobilenet_v3_large": 5483032, "mobilenet_v3_small": 2542856,
    "shufflenet_v2_x0_5": 1366792, "shufflenet_v2_x1_0": 2278604,
    "shufflenet_v2_x1_5": 3503624, "shufflenet_v2_x2_0": 7393996,
    "efficientnet_b0": 5288548, "efficientnet_b1": 7794184, "efficientnet_b2": 9109994,
    "efficientnet_b3": 12233232, "efficientnet_b4": 19341616, "efficientnet_b5": 30389784,
    "efficientnet_b6": 43040704, "efficientnet_b7": 66347960, "efficientnet_v2_s": 21458488,
    "efficientnet_v2_m": 54139356, "efficientnet_v2_l": 118515272,
    "regnet_y_400mf": 4344144, "regnet_y_800mf": 6432512, "regnet_y_1_6gf": 11202430,
    "regnet_y_3_2gf": 19436338, "regnet_y_8gf": 39381472, "regnet_y_16gf": 83590140,
    "regnet_y_32gf": 145046770, "regnet_y_128gf": 644812894, "regnet_x_400mf": 5495976,
    "regnet_x_800mf": 7259656, "regnet_x_1_6gf": 9190136, "regnet_x_3_2gf": 15296552,
    "regnet_x_8gf": 39572648, "regnet_x_16gf": 54278536, "regnet_x_32gf": 107811560,
    "vit_b_16": 86567656, "vit_b_32": 88224232, "vit_l_16": 304326632,
    "vit_l_32": 306535400, "vit_h_14": 632045800, "convnext_tiny": 28589128,
    "convnext_small": 50223688, "convnext_base": 88591464, "convnext_large": 197767336,
    "swin_t": 28288354, "swin_s": 49606258, "swin_b": 87768224, "swin_v2_t": 28351570,
    "swin_v2_s": 49737442, "swin_v2_b": 87930848, "mnasnet0_5": 2218512,
    "mnasnet0_75": 3170208, "mnasnet1_0": 4383312, "mnasnet1_3": 6282256,
}
# the released GoogLeNet weights (and their num_params) come without auxiliary heads
BUILD_KWARGS = {"googlenet": {"aux_logits": False}}


@pytest.fixture
def no_init(monkeypatch):
    """Skip drawing initial values: counting parameters needs only their shapes."""
    for name in dir(init):
        if name.endswith("_") and not name.startswith("_"):
            monkeypatch.setattr(init, name, lambda t, *a, **k: t)


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_every_registered_model_has_a_documented_count():
    assert sorted(DOCUMENTED_PARAMS) == models.list_models()


@pytest.mark.parametrize("name", sorted(DOCUMENTED_PARAMS))
def test_parameter_count_matches_torchvision_docs(name, no_init):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = models.get_model(name, **BUILD_KWARGS.get(name, {}))
    assert count(model) == DOCUMENTED_PARAMS[name]
    weights = models.get_model_weights(name).DEFAULT
    assert weights.meta["num_params"] == DOCUMENTED_PARAMS[name] or name == "vit_h_14"


def resnet18_expected_shapes() -> dict:
    """resnet18's state_dict layout, written out from torchvision's published structure."""
    shapes = {"conv1.weight": (64, 3, 7, 7)}

    def bn(prefix, c):
        shapes.update({f"{prefix}.weight": (c,), f"{prefix}.bias": (c,),
                       f"{prefix}.running_mean": (c,), f"{prefix}.running_var": (c,),
                       f"{prefix}.num_batches_tracked": ()})

    bn("bn1", 64)
    cin = 64
    for stage, c in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            p = f"layer{stage}.{block}"
            shapes[f"{p}.conv1.weight"] = (c, cin, 3, 3)
            bn(f"{p}.bn1", c)
            shapes[f"{p}.conv2.weight"] = (c, c, 3, 3)
            bn(f"{p}.bn2", c)
            if block == 0 and stage > 1:
                shapes[f"{p}.downsample.0.weight"] = (c, cin, 1, 1)
                bn(f"{p}.downsample.1", c)
            cin = c
    shapes["fc.weight"] = (1000, 512)
    shapes["fc.bias"] = (1000,)
    return shapes


def test_resnet18_state_dict_keys_and_shapes():
    sd = models.resnet18().state_dict()
    expected = resnet18_expected_shapes()
    assert list(sd) == list(expected)
    assert {k: tuple(v.shape) for k, v in sd.items()} == expected
    assert sd["bn1.num_batches_tracked"].dtype == ember.int64


@pytest.mark.parametrize("name,keys", [
    ("vgg16", {"features.0.weight": (64, 3, 3, 3), "features.28.bias": (512,),
               "classifier.0.weight": (4096, 25088), "classifier.6.weight": (1000, 4096)}),
    ("mobilenet_v2", {"features.0.0.weight": (32, 3, 3, 3), "features.1.conv.0.0.weight":
                      (32, 1, 3, 3), "features.18.1.running_var": (1280,),
                      "classifier.1.weight": (1000, 1280)}),
    ("mobilenet_v3_small", {"features.1.block.1.fc1.weight": (8, 16, 1, 1),
                            "classifier.0.weight": (1024, 576)}),
    ("densenet121", {"features.denseblock1.denselayer1.norm1.weight": (64,),
                     "features.denseblock4.denselayer16.conv2.weight": (32, 128, 3, 3),
                     "features.transition3.conv.weight": (512, 1024, 1, 1),
                     "features.norm5.running_mean": (1024,), "classifier.weight": (1000, 1024)}),
    ("inception_v3", {"Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3),
                      "Mixed_6b.branch7x7_2.conv.weight": (128, 128, 1, 7),
                      "AuxLogits.conv1.conv.weight": (768, 128, 5, 5),
                      "Mixed_7c.branch3x3dbl_3b.bn.running_var": (384,)}),
    ("efficientnet_b0", {"features.1.0.block.1.fc1.weight": (8, 32, 1, 1),
                         "features.8.0.weight": (1280, 320, 1, 1)}),
    ("regnet_y_400mf", {"stem.0.weight": (32, 3, 3, 3),
                        "trunk_output.block1.block1-0.proj.0.weight": (48, 32, 1, 1),
                        "trunk_output.block1.block1-0.f.se.fc1.weight": (8, 48, 1, 1),
                        "fc.weight": (1000, 440)}),
    ("vit_b_16", {"class_token": (1, 1, 768), "encoder.pos_embedding": (1, 197, 768),
                  "conv_proj.weight": (768, 3, 16, 16),
                  "encoder.layers.encoder_layer_11.self_attention.in_proj_weight": (2304, 768),
                  "encoder.layers.encoder_layer_0.mlp.3.weight": (768, 3072),
                  "heads.head.weight": (1000, 768)}),
    ("convnext_tiny", {"features.0.1.weight": (96,), "features.1.0.layer_scale": (96, 1, 1),
                       "features.1.0.block.3.weight": (384, 96),
                       "features.6.1.weight": (768, 384, 2, 2), "classifier.2.weight": (1000, 768)}),
    ("swin_t", {"features.0.0.weight": (96, 3, 4, 4),
                "features.1.0.attn.relative_position_bias_table": (169, 3),
                "features.1.0.attn.relative_position_index": (2401,),
                "features.2.reduction.weight": (192, 384), "head.weight": (1000, 768)}),
    ("swin_v2_t", {"features.1.0.attn.relative_coords_table": (1, 15, 15, 2),
                   "features.1.0.attn.cpb_mlp.2.weight": (3, 512),
                   "features.1.0.attn.logit_scale": (3, 1, 1), "features.2.norm.weight": (192,)}),
    ("shufflenet_v2_x1_0", {"stage2.0.branch1.0.weight": (24, 1, 3, 3),
                            "stage2.1.branch2.0.weight": (58, 58, 1, 1), "conv5.0.weight":
                            (1024, 464, 1, 1)}),
    ("googlenet", {"inception3a.branch3.1.conv.weight": (32, 16, 3, 3),
                   "aux1.fc1.weight": (1024, 2048), "fc.weight": (1000, 1024)}),
    ("squeezenet1_0", {"features.3.expand3x3.weight": (64, 16, 3, 3),
                       "classifier.1.weight": (1000, 512, 1, 1)}),
])
def test_state_dict_landmarks(name, keys, no_init):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sd = models.get_model(name).state_dict()
    for key, shape in keys.items():
        assert tuple(sd[key].shape) == shape, key


def _train_step(model, x, out_shape=(2, 1000)):
    model.train()
    out = model(x)
    logits = out[0] if isinstance(out, tuple) else out
    assert tuple(logits.shape) == out_shape
    (logits.float().pow(2).mean()).backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None for g in grads)
    assert np.isfinite(sum(float(g.abs().sum()) for g in grads))
    model.eval()
    with ember.no_grad():
        assert tuple(model(x).shape) == out_shape


# the smallest member of each family at about the smallest input it accepts
FAMILY_CASES = [
    ("resnet18", {}, 32), ("resnext50_32x4d", {"num_classes": 10}, 32),
    ("alexnet", {}, 63), ("vgg11_bn", {"num_classes": 10}, 32), ("squeezenet1_1", {}, 32),
    ("densenet121", {"num_classes": 10}, 32),
    ("googlenet", {"init_weights": False, "aux_logits": False}, 32), ("inception_v3", {"init_weights": False, "aux_logits": False}, 75),
    ("mobilenet_v2", {}, 32), ("mnasnet0_5", {}, 32), ("mobilenet_v3_small", {}, 32), ("shufflenet_v2_x0_5", {}, 32),
    ("efficientnet_b0", {}, 32), ("efficientnet_v2_s", {"num_classes": 10}, 32),
    ("regnet_x_400mf", {}, 32), ("regnet_y_400mf", {}, 32),
    ("vit_b_32", {"image_size": 64, "num_classes": 10}, 64),
    ("convnext_tiny", {"num_classes": 10}, 32), ("swin_t", {"num_classes": 10}, 32),
    ("swin_v2_t", {"num_classes": 10}, 32),
]


# drawing >60M initial values dominates these models' test time: fill them cheaply instead
CHEAP_INIT = {"alexnet", "vgg11_bn"}


def _clipped_normal(t, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    with ember.no_grad():
        return init.normal_(t, mean, std).clamp_(a, b)


@pytest.mark.parametrize("name,kwargs,size", FAMILY_CASES, ids=[c[0] for c in FAMILY_CASES])
def test_family_forward_backward(name, kwargs, size, monkeypatch):
    ember.manual_seed(0)
    # the exact truncated normal is slow to draw and not under test here
    monkeypatch.setattr(init, "trunc_normal_", _clipped_normal)
    if name in CHEAP_INIT:
        for fn in ("kaiming_normal_", "kaiming_uniform_", "normal_"):
            monkeypatch.setattr(init, fn, lambda t, *a, **k: init.constant_(t, 1e-3))
    model = models.get_model(name, **kwargs)
    x = ember.randn(2, 3, size, size)
    _train_step(model, x, (2, kwargs.get("num_classes", 1000)))


def test_googlenet_and_inception_training_outputs():
    g = models.googlenet(init_weights=True, num_classes=5)
    g.train()
    out = g(ember.randn(2, 3, 64, 64))
    assert type(out).__name__ == "GoogLeNetOutputs"
    assert [tuple(t.shape) for t in out] == [(2, 5)] * 3
    # the auxiliary head reads the 17x17 stage, which a 299x299 image gives
    m = models.inception_v3(init_weights=False, num_classes=5)
    assert tuple(m.AuxLogits(ember.randn(2, 768, 17, 17)).shape) == (2, 5)
    assert models.inception.InceptionOutputs._fields == ("logits", "aux_logits")


def test_vit_rejects_wrong_image_size():
    model = models.vit_b_32(image_size=64)
    with pytest.raises(RuntimeError, match="Wrong image height! Expected 64 but got 32"):
        model(ember.randn(1, 3, 32, 64))


def test_state_dict_round_trips_through_real_torch(tmp_path):
    torch = pytest.importorskip("torch", reason="needs real torch for file interop")
    expected = resnet18_expected_shapes()
    # ember -> torch: torch.load reads ember's file with the same keys and shapes
    path = tmp_path / "ember_resnet18.pth"
    model = models.resnet18()
    ember.save(model.state_dict(), path)
    loaded = torch.load(path, weights_only=True)
    assert {k: tuple(v.shape) for k, v in loaded.items()} == expected
    np.testing.assert_array_equal(loaded["layer3.1.conv2.weight"].numpy(),
                                  model.layer3[1].conv2.weight.detach().numpy())
    # torch -> ember: a checkpoint torch writes with torchvision's layout loads strictly
    gen = torch.Generator().manual_seed(0)
    state = {k: (torch.randn(s, generator=gen) if s else torch.tensor(7))
             for k, s in expected.items()}
    torch_path = tmp_path / "torch_resnet18.pth"
    torch.save(state, torch_path)
    fresh = models.resnet18()
    result = fresh.load_state_dict(ember.load(torch_path), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    np.testing.assert_array_equal(fresh.fc.weight.detach().numpy(), state["fc.weight"].numpy())
    assert int(fresh.bn1.num_batches_tracked) == 7
    fresh.eval()
    with ember.no_grad():
        assert tuple(fresh(ember.randn(1, 3, 32, 32)).shape) == (1, 1000)


def test_strict_load_rejects_missing_and_unexpected_keys():
    state = models.resnet18().state_dict()
    state.pop("fc.bias")
    state["fc.extra"] = ember.zeros(1)
    with pytest.raises(RuntimeError, match="fc.bias"):
        models.resnet18().load_state_dict(state, strict=True)


def test_weights_enums_and_meta():
    w = ResNet18_Weights.DEFAULT
    assert w is ResNet18_Weights.IMAGENET1K_V1
    assert repr(w) == "ResNet18_Weights.IMAGENET1K_V1"
    assert w.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    cats = w.meta["categories"]
    assert len(cats) == 1000 and len(set(cats)) == 1000
    assert (cats[0], cats[281], cats[999]) == ("tench", "tabby", "toilet tissue")
    assert w.meta["num_params"] == 11689512 and w.meta["min_size"] == (1, 1)
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.get_weight("ResNet50_Weights.IMAGENET1K_V1").url.endswith("0676ba61.pth")
    assert models.get_model_weights("resnet18") is ResNet18_Weights
    assert models.get_model_weights(models.regnet_x_400mf) is models.RegNet_X_400MF_Weights
    assert ResNet18_Weights.verify("IMAGENET1K_V1") is w
    with pytest.raises(TypeError, match="expected ResNet18_Weights"):
        models.resnet18(weights=models.ResNet50_Weights.DEFAULT)
    assert models.list_models(include="resnet1*") == ["resnet101", "resnet152", "resnet18"]
    assert "vgg11" not in models.list_models(exclude="vgg*")
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet_nonexistent")


def test_image_classification_preset_matches_torch_pipeline():
    torch = pytest.importorskip("torch", reason="needs real torch as reference")
    rng = np.random.default_rng(0)
    img = rng.random((3, 300, 400), dtype=np.float32)
    preset = ResNet18_Weights.DEFAULT.transforms()
    out = preset(ember.from_numpy(img)).numpy()
    # torchvision's documented steps: shorter side to 256 (bilinear, antialiased), center
    # crop 224, then normalise with the ImageNet mean and std
    t = torch.nn.functional.interpolate(torch.from_numpy(img)[None], size=(256, 341),
                                        mode="bilinear", align_corners=False,
                                        antialias=True)[0]
    top, left = int(round((256 - 224) / 2.0)), int(round((341 - 224) / 2.0))
    t = t[:, top:top + 224, left:left + 224]
    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    np.testing.assert_allclose(out, ((t - mean) / std).numpy(), atol=1e-4)
    assert out.shape == (3, 224, 224) and out.dtype == np.float32


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """An empty hub cache, and any attempt to open a network connection fails the test."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))

    def no_network(*args, **kwargs):
        raise AssertionError("ember tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    return tmp_path / "home" / "hub" / "checkpoints"


def test_hub_dirs_follow_torch_home(torch_home, monkeypatch):
    assert hub.get_dir() == str(torch_home.parent)
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert hub.get_dir() == os.path.expanduser("~/.cache/torch/hub")
    monkeypatch.setattr(hub, "_hub_dir", None)
    hub.set_dir("/tmp/elsewhere")
    assert hub.get_dir() == "/tmp/elsewhere"


def test_missing_weights_fail_at_once_naming_file_url_and_directory(torch_home):
    with pytest.raises(RuntimeError) as err:
        models.resnet18(weights=ResNet18_Weights.DEFAULT)
    msg = str(err.value)
    assert "resnet18-f37072fd.pth" in msg and ResNet18_Weights.DEFAULT.url in msg
    assert str(torch_home) in msg
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        with pytest.raises(RuntimeError, match="resnet18-f37072fd.pth"):
            models.resnet18(pretrained=True)
    with pytest.raises(RuntimeError, match="ember does not download"):
        hub.download_url_to_file("https://example.com/x.pth", str(torch_home / "x.pth"))


def test_cached_checkpoint_loads_and_hash_prefix_is_checked(torch_home):
    torch_home.mkdir(parents=True)
    model = models.resnet18(num_classes=10)
    plain = torch_home / "tmp.pth"
    ember.save(model.state_dict(), plain)
    digest = hashlib.sha256(plain.read_bytes()).hexdigest()
    good = torch_home / f"tiny-{digest[:8]}.pth"
    os.replace(plain, good)
    url = f"https://download.example.org/models/{good.name}"
    state = hub.load_state_dict_from_url(url, check_hash=True)
    np.testing.assert_array_equal(state["fc.weight"].numpy(), model.fc.weight.detach().numpy())

    class TinyWeights(WeightsEnum):
        V1 = Weights(url=url, transforms=None,
                     meta={"categories": [str(i) for i in range(10)]})

    loaded = models.resnet18(num_classes=10)
    loaded.load_state_dict(TinyWeights.V1.get_state_dict(check_hash=True))
    np.testing.assert_array_equal(loaded.fc.bias.detach().numpy(),
                                  model.fc.bias.detach().numpy())
    # a cached file whose contents do not match the prefix in its name is refused
    bad = torch_home / "resnet18-f37072fd.pth"
    bad.write_bytes(good.read_bytes())
    with pytest.raises(RuntimeError, match="invalid hash value"):
        models.resnet18(weights="IMAGENET1K_V1")
    # without check_hash the file is loaded as is
    assert "fc.weight" in hub.load_state_dict_from_url(ResNet18_Weights.DEFAULT.url)


def test_hub_load_from_local_directory_and_missing_repo(tmp_path, torch_home):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "hubconf.py").write_text(
        "def tiny(scale=1):\n    'A tiny model.'\n    return ('tiny', scale)\n")
    assert ember.hub.load(str(repo), "tiny", source="local", scale=3) == ("tiny", 3)
    with pytest.raises(RuntimeError, match="owner_repo_main"):
        hub.list("owner/repo")
    with pytest.raises(RuntimeError, match="Cannot find callable missing"):
        hub.load(str(repo), "missing", source="local")


def test_import_ember_does_not_import_the_models():
    code = ("import sys, ember; ember.zeros(1); "
            "assert not any(m.startswith(('ember.vision', 'ember.hub')) for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_served_as_torchvision_models(tmp_path):
    script = tmp_path / "use_tv.py"
    script.write_text(
        "import torch, torchvision\n"
        "from torchvision.models import resnet18, ResNet18_Weights\n"
        "from torchvision.ops import nms\n"
        "import torch.hub\n"
        "m = resnet18(num_classes=3).eval()\n"
        "print(tuple(m(torch.zeros(1, 3, 32, 32)).shape), callable(torch.hub.get_dir))\n")
    out = subprocess.run([sys.executable, "-m", "ember.run", str(script)], check=True,
                         capture_output=True, text=True)
    assert out.stdout.strip() == "(1, 3) True"


@pytest.mark.skipif(not BIG, reason="set EMBER_TEST_BIG_MODELS=1 to build the largest models")
@pytest.mark.parametrize("name", ["vit_h_14", "regnet_y_128gf", "convnext_large"])
def test_big_models_forward(name):
    kwargs = {"image_size": 56} if name == "vit_h_14" else {}
    model = models.get_model(name, **kwargs).eval()
    with ember.no_grad():
        assert tuple(model(ember.randn(1, 3, 56, 56)).shape) == (1, 1000)
