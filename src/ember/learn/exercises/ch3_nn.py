"""Chapter 3: nn — a Module with __init__ / forward, parameters and state_dict, Sequential,
and activation functions."""
from ..model import Exercise, NotDone, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ module

def _two_layer(c, *sizes):
    with c.running("TwoLayer.__init__"):
        model = c.get("TwoLayer")(*sizes)
    for name in ("fc1", "fc2"):
        if getattr(model, name, None) is Ellipsis:
            raise NotDone(f"`TwoLayer.{name}`")
    c.expect(isinstance(model, c.torch.nn.Module), "TwoLayer should subclass nn.Module",
             "TwoLayer 应该继承 nn.Module", "an nn.Module", type(model).__name__)
    return model


@check("TwoLayer(4, 8, 3) maps a (5, 4) batch to (5, 3)", "TwoLayer(4, 8, 3) 把 (5, 4) 的批次映射为 (5, 3)")
def _module_shape(c):
    t = c.torch
    model = _two_layer(c, 4, 8, 3)
    with c.running("TwoLayer.forward"):
        out = model(t.randn(5, 4))
    c.tensor(out, shape=(5, 3), dtype=t.float32, what="TwoLayer(4, 8, 3)(x)")


@check("TwoLayer has the parameters of two Linear layers", "TwoLayer 拥有两个 Linear 层的参数")
def _module_params(c):
    model = _two_layer(c, 4, 8, 3)
    shapes = sorted(tuple(p.shape) for p in model.parameters())
    want = sorted([(8, 4), (8,), (3, 8), (3,)])
    c.expect(shapes == want, "TwoLayer(4, 8, 3) has the wrong parameters",
             "TwoLayer(4, 8, 3) 的参数不对", want, shapes)


@check("forward computes fc2(relu(fc1(x)))", "forward 计算 fc2(relu(fc1(x)))")
def _module_forward(c):
    t = c.torch
    model = _two_layer(c, 3, 6, 2)
    x = t.randn(4, 3)
    with c.running("TwoLayer.forward"):
        out = model(x)
    with t.no_grad():
        h = t.relu(x @ model.fc1.weight.T + model.fc1.bias)
        want = h @ model.fc2.weight.T + model.fc2.bias
    c.tensor(out.detach(), want, what="TwoLayer(3, 6, 2)(x)")
    c.expect(out.requires_grad, "the output should carry the graph back to the weights",
             "输出应该带着通向权重的计算图", "requires_grad=True", "requires_grad=False")


MODULE = Exercise(
    name="module", chapter=3,
    title=T("Your own nn.Module", "自己写一个 nn.Module"),
    theory=T(
        """A model is a subclass of `nn.Module`. `__init__` calls `super().__init__()` first
and then creates the layers as attributes; assigning an `nn.Linear` (or any Module or
`nn.Parameter`) to `self` registers it, so its weights show up in `model.parameters()`.

`forward(x)` says how the input flows through the layers. You never call forward
directly: `model(x)` does, and also runs the module's hooks. `nn.Linear(n_in, n_out)`
holds a weight of shape (n_out, n_in) and a bias of shape (n_out,) and computes
x @ weight.T + bias.""",
        """模型是 `nn.Module` 的子类。`__init__` 先调用 `super().__init__()`，再把各层创建为属性；把 `nn.Linear`
（或任何 Module、`nn.Parameter`）赋值给 `self` 就会注册它，它的权重会出现在 `model.parameters()` 中。

`forward(x)` 描述输入如何流过各层。不要直接调用 forward，而是调用 `model(x)`，它会调用 forward 并运行模块的
钩子。`nn.Linear(n_in, n_out)` 持有形状为 (n_out, n_in) 的权重和形状为 (n_out,) 的偏置，计算
x @ weight.T + bias。"""),
    task=T(
        """Complete `TwoLayer(n_in, n_hidden, n_out)`: two layers `self.fc1`
(n_in -> n_hidden) and `self.fc2` (n_hidden -> n_out), both `nn.Linear`, and a forward
that computes fc2(relu(fc1(x))).""",
        """补全 `TwoLayer(n_in, n_hidden, n_out)`：两层 `self.fc1`（n_in -> n_hidden）和 `self.fc2`
（n_hidden -> n_out），都是 `nn.Linear`；forward 计算 fc2(relu(fc1(x)))。"""),
    hint=T("self.fc1 = nn.Linear(n_in, n_hidden); in forward: return self.fc2(torch.relu("
           "self.fc1(x))).",
           "self.fc1 = nn.Linear(n_in, n_hidden)；forward 中：return self.fc2(torch.relu(self.fc1(x)))。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


class TwoLayer(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = ...  # TODO
        self.fc2 = ...  # TODO

    def forward(self, x):
        raise NotImplementedError("TODO")


if __name__ == "__main__":
    model = TwoLayer(4, 8, 3)
    print(model)
    print(model(torch.randn(2, 4)))
''',
    solution='''


class TwoLayer(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


if __name__ == "__main__":
    model = TwoLayer(4, 8, 3)
    print(model)
    print(model(torch.randn(2, 4)))
''',
    checks=[_module_shape, _module_params, _module_forward],
)


# ------------------------------------------------------------------ state_dict

@check("count_parameters(model) counts the trainable numbers", "count_parameters(model) 统计可训练的参数个数")
def _count(c):
    nn = c.torch.nn
    c.expect(c.call("count_parameters", nn.Linear(3, 2)) == 8,
             "count_parameters(Linear(3, 2)) should be 3*2 + 2 = 8",
             "count_parameters(Linear(3, 2)) 应该是 3*2 + 2 = 8", 8,
             c.call("count_parameters", nn.Linear(3, 2)))
    model = nn.Sequential(nn.Linear(4, 5), nn.Linear(5, 1))
    for p in model[0].parameters():
        p.requires_grad_(False)
    got = c.call("count_parameters", model)
    c.expect(got == 6, "frozen parameters (requires_grad=False) should not be counted",
             "冻结的参数（requires_grad=False）不应计入", 6, got)


@check("copy_weights(src, dst) makes dst compute what src computes",
       "copy_weights(src, dst) 让 dst 与 src 计算结果相同")
def _copy(c):
    t = c.torch
    nn = t.nn
    src, dst = nn.Linear(3, 2), nn.Linear(3, 2)
    c.call("copy_weights", src, dst)
    x = t.randn(4, 3)
    with t.no_grad():
        c.tensor(dst(x), src(x), what="dst(x) after copy_weights")
        src.weight.add_(1.0)
        c.expect(not bool(t.allclose(dst(x), src(x))),
                 "dst changed along with src: copy the values, do not share the tensors",
                 "dst 随 src 一起改变了：要复制数值，而不是共享张量")


@check("state_keys(model) lists the state_dict's names", "state_keys(model) 列出 state_dict 的名字")
def _keys(c):
    nn = c.torch.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    got = c.call("state_keys", model)
    want = list(model.state_dict().keys())
    c.expect(list(got) == want if isinstance(got, (list, tuple)) else False,
             "state_keys should list every state_dict key, in order (buffers too)",
             "state_keys 应该按顺序列出 state_dict 的每个键（包括缓冲区）", want, got)


STATE_DICT = Exercise(
    name="state_dict", chapter=3,
    title=T("Parameters and state_dict", "参数与 state_dict"),
    theory=T(
        """`model.parameters()` yields every trainable tensor of a module and its children;
`named_parameters()` adds their dotted names (`0.weight`, `fc1.bias`). A parameter can
be frozen with `p.requires_grad_(False)`; optimizers then leave it alone.

`model.state_dict()` is an ordered dict from names to tensors: the parameters plus the
buffers, state that is not trained, such as batch norm's running mean. It is what gets
saved to disk; `load_state_dict(sd)` copies the values into a model with the same
structure.""",
        """`model.parameters()` 逐个给出模块及其子模块中所有可训练的张量；`named_parameters()` 还给出它们用点号
连接的名字（`0.weight`、`fc1.bias`）。用 `p.requires_grad_(False)` 可以冻结参数，优化器就不会再更新它。

`model.state_dict()` 是从名字到张量的有序字典：包括参数，也包括缓冲区，即不参与训练的状态，比如批归一化的
滑动均值。保存到磁盘的就是它；`load_state_dict(sd)` 会把数值复制到结构相同的模型中。"""),
    task=T(
        """`count_parameters(model)` returns the total number of trainable numbers (elements of
parameters that require grad) as an int; `copy_weights(src, dst)` copies src's values
into dst, a model of the same structure; `state_keys(model)` returns the list of the
model's state_dict keys in order.""",
        """`count_parameters(model)` 以 int 返回可训练数值的总数（需要梯度的参数的元素个数）；`copy_weights(src, dst)`
把 src 的数值复制到结构相同的 dst 中；`state_keys(model)` 按顺序返回模型 state_dict 的键组成的列表。"""),
    hint=T("sum(p.numel() for p in model.parameters() if p.requires_grad); "
           "dst.load_state_dict(src.state_dict()); list(model.state_dict().keys()).",
           "sum(p.numel() for p in model.parameters() if p.requires_grad)；"
           "dst.load_state_dict(src.state_dict())；list(model.state_dict().keys())。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def count_parameters(model):
    return ...  # TODO


def copy_weights(src, dst):
    raise NotImplementedError("TODO")


def state_keys(model):
    return ...  # TODO
''',
    solution='''


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def copy_weights(src, dst):
    dst.load_state_dict(src.state_dict())


def state_keys(model):
    return list(model.state_dict().keys())
''',
    checks=[_count, _copy, _keys],
)


# ------------------------------------------------------------------ sequential

def _layers(c, model):
    nn = c.torch.nn
    c.expect(isinstance(model, nn.Sequential), "make_mlp should return an nn.Sequential",
             "make_mlp 应该返回 nn.Sequential", "nn.Sequential", type(model).__name__)
    return [type(m).__name__ for m in model]


@check("make_mlp([4, 16, 8, 2]) is Linear, ReLU, Linear, ReLU, Linear",
       "make_mlp([4, 16, 8, 2]) 是 Linear, ReLU, Linear, ReLU, Linear")
def _mlp_layers(c):
    got = _layers(c, c.call("make_mlp", [4, 16, 8, 2]))
    want = ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    c.expect(got == want, "make_mlp([4, 16, 8, 2]) has the wrong layers",
             "make_mlp([4, 16, 8, 2]) 的层不对", want, got)


@check("the MLP maps (batch, sizes[0]) to (batch, sizes[-1])", "MLP 把 (batch, sizes[0]) 映射为 (batch, sizes[-1])")
def _mlp_shape(c):
    t = c.torch
    model = c.call("make_mlp", [4, 16, 8, 2])
    with c.running("the MLP"):
        out = model(t.randn(7, 4))
    c.tensor(out, shape=(7, 2), dtype=t.float32, what="make_mlp([4, 16, 8, 2])(x)")


@check("make_mlp([3, 1]) is a single Linear, no activation at the end",
       "make_mlp([3, 1]) 只有一个 Linear，末尾没有激活函数")
def _mlp_single(c):
    got = _layers(c, c.call("make_mlp", [3, 1]))
    c.expect(got == ["Linear"], "the last layer must be a Linear (no ReLU after it)",
             "最后一层必须是 Linear（后面没有 ReLU）", ["Linear"], got)


SEQUENTIAL = Exercise(
    name="sequential", chapter=3,
    title=T("nn.Sequential", "nn.Sequential"),
    theory=T(
        """`nn.Sequential(a, b, c)` is a Module whose forward feeds the input through its
children in order: c(b(a(x))). It saves writing a class when a model is a plain chain of
layers, and it can be built from a list: `nn.Sequential(*layers)`.

Its children are indexed like a list, `model[0]`, and named `0`, `1`, ... in the
state_dict. A multi-layer perceptron alternates Linear layers and activations; the last
Linear produces the raw outputs (logits), so no activation follows it.""",
        """`nn.Sequential(a, b, c)` 是一个 Module，它的 forward 把输入依次送过各个子模块：c(b(a(x)))。当模型只是
一串层时，就不必专门写一个类；它也可以由列表构建：`nn.Sequential(*layers)`。

它的子模块可以像列表一样索引，例如 `model[0]`，在 state_dict 中的名字是 `0`、`1`……多层感知机由 Linear 层和
激活函数交替组成；最后一个 Linear 输出原始结果（logits），后面不接激活函数。"""),
    task=T(
        """`make_mlp(sizes)` returns an `nn.Sequential` of Linear layers from sizes[i] to
sizes[i+1], with an `nn.ReLU()` between consecutive Linear layers and none after the
last: [4, 16, 8, 2] gives Linear(4, 16), ReLU, Linear(16, 8), ReLU, Linear(8, 2).""",
        """`make_mlp(sizes)` 返回由 Linear 层组成的 `nn.Sequential`，第 i 层从 sizes[i] 到 sizes[i+1]，相邻 Linear
层之间放一个 `nn.ReLU()`，最后一层之后不放：[4, 16, 8, 2] 得到 Linear(4, 16), ReLU, Linear(16, 8), ReLU,
Linear(8, 2)。"""),
    hint=T("Collect layers in a list in a loop over zip(sizes[:-1], sizes[1:]), drop the "
           "trailing ReLU, then nn.Sequential(*layers).",
           "在对 zip(sizes[:-1], sizes[1:]) 的循环中把层收集到列表里，去掉末尾的 ReLU，再 nn.Sequential(*layers)。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def make_mlp(sizes):
    layers = []
    # TODO: Linear layers with ReLU between them
    return ...


if __name__ == "__main__":
    print(make_mlp([4, 16, 8, 2]))
''',
    solution='''


def make_mlp(sizes):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


if __name__ == "__main__":
    print(make_mlp([4, 16, 8, 2]))
''',
    checks=[_mlp_layers, _mlp_shape, _mlp_single],
)


# ------------------------------------------------------------------ activations

def _x(t):
    return t.tensor([[-2.0, -0.5, 0.0, 1.0, 3.0], [0.1, 0.2, -4.0, 2.0, 0.0]])


@check("relu(x) keeps positives, zeroes negatives", "relu(x) 保留正数、把负数置 0")
def _relu(c):
    t = c.torch
    c.tensor(c.call("relu", _x(t)), t.relu(_x(t)), what="relu(x)")


@check("sigmoid(x) squashes into (0, 1)", "sigmoid(x) 压缩到 (0, 1)")
def _sigmoid(c):
    t = c.torch
    c.tensor(c.call("sigmoid", _x(t)), t.sigmoid(_x(t)), what="sigmoid(x)")


@check("leaky(x) lets 0.1 of the negatives through", "leaky(x) 让负数以 0.1 的比例通过")
def _leaky(c):
    t = c.torch
    c.tensor(c.call("leaky", _x(t)), t.nn.functional.leaky_relu(_x(t), 0.1), what="leaky(x)")


@check("softmax_rows(x) turns each row into probabilities", "softmax_rows(x) 把每一行变成概率")
def _softmax(c):
    t = c.torch
    c.tensor(c.call("softmax_rows", _x(t)), t.softmax(_x(t), dim=1), what="softmax_rows(x)")


ACTIVATIONS = Exercise(
    name="activations", chapter=3,
    title=T("Activation functions", "激活函数"),
    theory=T(
        """Without a non-linear function between them, stacked Linear layers collapse into a
single Linear layer. Activations break the linearity: `relu` keeps positives and zeroes
negatives; `leaky_relu` lets a small slope of the negatives through; `sigmoid` squashes
into (0, 1) and `tanh` into (-1, 1).

`softmax(x, dim)` turns a vector of scores into probabilities that are positive and sum
to 1 along `dim`. Each exists as a function (`torch.relu`, `torch.nn.functional.*`) and
as a module (`nn.ReLU()`) for use inside `nn.Sequential`.""",
        """如果层与层之间没有非线性函数，堆叠的 Linear 层会退化成一个 Linear 层。激活函数打破了线性：`relu` 保留正数、
把负数置 0；`leaky_relu` 让负数以一个小斜率通过；`sigmoid` 压缩到 (0, 1)，`tanh` 压缩到 (-1, 1)。

`softmax(x, dim)` 把一组分数变成沿 dim 为正且和为 1 的概率。每种激活都既有函数形式（`torch.relu`、
`torch.nn.functional.*`），也有模块形式（`nn.ReLU()`），后者可以放进 `nn.Sequential`。"""),
    task=T(
        """`relu(x)`, `sigmoid(x)`, `leaky(x)` (leaky ReLU with negative slope 0.1) and
`softmax_rows(x)` (softmax over each row of a matrix) each return the activation of x.""",
        """`relu(x)`、`sigmoid(x)`、`leaky(x)`（负斜率为 0.1 的 leaky ReLU）和 `softmax_rows(x)`（对矩阵的每一行做
softmax）分别返回 x 的激活结果。"""),
    hint=T("torch.relu, torch.sigmoid, torch.nn.functional.leaky_relu(x, 0.1), and "
           "torch.softmax(x, dim=1) (rows sum to 1).",
           "torch.relu、torch.sigmoid、torch.nn.functional.leaky_relu(x, 0.1)，以及 torch.softmax(x, dim=1)"
           "（每行和为 1）。"),
    imports=("import torch", "import torch.nn.functional as F"),
    starter='''


def relu(x):
    return ...  # TODO


def sigmoid(x):
    return ...  # TODO


def leaky(x):
    return ...  # TODO: negative slope 0.1


def softmax_rows(x):
    return ...  # TODO
''',
    solution='''


def relu(x):
    return torch.relu(x)


def sigmoid(x):
    return torch.sigmoid(x)


def leaky(x):
    return F.leaky_relu(x, negative_slope=0.1)


def softmax_rows(x):
    return torch.softmax(x, dim=1)
''',
    checks=[_relu, _sigmoid, _leaky, _softmax],
)


EXERCISES = [MODULE, STATE_DICT, SEQUENTIAL, ACTIVATIONS]
