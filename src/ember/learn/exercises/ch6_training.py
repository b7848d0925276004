"""Chapter 6: training — linear regression end to end, a digits classifier, train/eval
modes, checkpoints, and devices."""
import os

from ..model import Exercise, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ linear regression

def _line_data(t):
    g = t.Generator().manual_seed(4)
    x = t.rand(100, 1, generator=g) * 2 - 1
    return x, 3 * x - 1 + 0.05 * t.randn(100, 1, generator=g)


@check("fit_line returns a trained nn.Linear(1, 1)", "fit_line 返回训练好的 nn.Linear(1, 1)")
def _line_model(c):
    t = c.torch
    x, y = _line_data(t)
    model = c.call("fit_line", x, y, 300, 0.1)
    c.expect(isinstance(model, t.nn.Linear) and tuple(model.weight.shape) == (1, 1),
             "fit_line should return an nn.Linear(1, 1)", "fit_line 应该返回 nn.Linear(1, 1)",
             "Linear(1, 1)", c.show(model))


@check("it finds y = 3x - 1 (weight ≈ 3, bias ≈ -1)", "它找到 y = 3x - 1（weight ≈ 3，bias ≈ -1）")
def _line_fit(c):
    t = c.torch
    x, y = _line_data(t)
    t.manual_seed(0)
    model = c.call("fit_line", x, y, 300, 0.1)
    w, b = float(model.weight.detach().reshape(-1)[0]), float(model.bias.detach().reshape(-1)[0])
    c.expect(abs(w - 3) < 0.1 and abs(b + 1) < 0.1,
             "the fitted line is off: is every step zero_grad, loss, backward, step?",
             "拟合出的直线不对：每一步是否都做了 zero_grad、损失、backward、step？",
             "weight≈3.0 bias≈-1.0", f"weight={w:.3f} bias={b:.3f}")


@check("predict(model, x) gives outputs without a graph", "predict(model, x) 给出不带计算图的输出")
def _line_predict(c):
    t = c.torch
    model = t.nn.Linear(1, 1)
    x = t.tensor([[0.0], [1.0]])
    with t.no_grad():
        want = model(x)
    c.tensor(c.call("predict", model, x), want, requires_grad=False, what="predict(model, x)")


LINEAR_REGRESSION = Exercise(
    name="linear_regression", chapter=6,
    title=T("Linear regression, end to end", "完整的线性回归"),
    theory=T(
        """Every training program has the same skeleton: data, a model, a loss, an optimizer,
and a loop of steps (zero_grad, forward, loss, backward, step) repeated for a number of
epochs. Linear regression is the smallest complete example: `nn.Linear(1, 1)` is the line
w*x + b, the loss is the mean squared error, and SGD moves w and b toward the data.

After training, predictions are made without recording a graph (`torch.no_grad()`), and
the learnt numbers can be read from `model.weight` and `model.bias`.""",
        """每个训练程序都有相同的骨架：数据、模型、损失、优化器，以及一个重复若干个 epoch 的步骤循环（zero_grad、
前向、损失、backward、step）。线性回归是最小的完整例子：`nn.Linear(1, 1)` 就是直线 w*x + b，损失是均方误差，
SGD 把 w 和 b 推向数据。

训练之后，在不记录计算图的情况下做预测（`torch.no_grad()`），学到的数可以从 `model.weight` 和 `model.bias`
中读出。"""),
    task=T(
        """`fit_line(x, y, epochs, lr)` creates an `nn.Linear(1, 1)`, trains it with SGD at
learning rate lr on the mean squared error for `epochs` full passes over x (shape (N, 1))
and y, and returns the model; `predict(model, x)` returns model(x) computed without a
graph. The check fits noisy points of y = 3x - 1.""",
        """`fit_line(x, y, epochs, lr)` 创建 `nn.Linear(1, 1)`，用学习率为 lr 的 SGD、以均方误差在 x（形状 (N, 1)）
和 y 上训练 epochs 轮（每轮使用全部数据），并返回模型；`predict(model, x)` 返回不带计算图的 model(x)。
检查会拟合 y = 3x - 1 附近带噪声的点。"""),
    hint=T("model = nn.Linear(1, 1); optimizer = torch.optim.SGD(model.parameters(), lr=lr); "
           "loop epochs times over the four training lines.",
           "model = nn.Linear(1, 1)；optimizer = torch.optim.SGD(model.parameters(), lr=lr)；"
           "把四行训练代码循环 epochs 次。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def fit_line(x, y, epochs, lr):
    model = nn.Linear(1, 1)
    # TODO: an optimizer, a loss, and the training loop
    return ...


def predict(model, x):
    return ...  # TODO


if __name__ == "__main__":
    x = torch.rand(100, 1) * 2 - 1
    y = 3 * x - 1 + 0.05 * torch.randn(100, 1)
    model = fit_line(x, y, 300, 0.1)
    print(model.weight.item(), model.bias.item())
''',
    solution='''


def fit_line(x, y, epochs, lr):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model


def predict(model, x):
    with torch.no_grad():
        return model(x)


if __name__ == "__main__":
    x = torch.rand(100, 1) * 2 - 1
    y = 3 * x - 1 + 0.05 * torch.randn(100, 1)
    model = fit_line(x, y, 300, 0.1)
    print(model.weight.item(), model.bias.item())
''',
    checks=[_line_model, _line_fit, _line_predict],
)


# ------------------------------------------------------------------ digits

TARGET_ACCURACY = 0.9


def _digits(t):
    import numpy as np
    from sklearn.datasets import load_digits
    data = load_digits()
    order = np.random.RandomState(0).permutation(len(data.target))
    x = t.tensor((data.data[order] / 16.0).astype(np.float32))
    y = t.tensor(data.target[order].astype(np.int64))
    return x[:1400], y[:1400], x[1400:], y[1400:]


class _Fixed:
    """A stand-in model whose logits are fixed, to test accuracy() alone."""

    def __init__(self, logits):
        self.logits = logits
        self.training = True

    def eval(self):
        self.training = False
        return self

    def train(self, mode=True):
        self.training = mode
        return self

    def __call__(self, x):
        return self.logits[: len(x)]


@check("accuracy(model, x, y) is the fraction of right answers", "accuracy(model, x, y) 是答对的比例")
def _accuracy(c):
    t = c.torch
    logits = t.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, 1.0], [0.0, 0.5]])
    got = c.call("accuracy", _Fixed(logits), t.zeros(4, 2), t.tensor([0, 1, 1, 1]))
    c.expect(isinstance(got, float), "accuracy should return a Python float",
             "accuracy 应该返回 Python 浮点数", 0.75, c.show(got))
    c.expect(abs(got - 0.75) < 1e-6, "accuracy is off: compare argmax(dim=1) with the labels",
             "准确率不对：把 argmax(dim=1) 与标签比较", 0.75, got)


@check(f"train_digits reaches {TARGET_ACCURACY:.0%} on held-out digits",
       f"train_digits 在测试集上达到 {TARGET_ACCURACY:.0%}")
def _digits_trained(c):
    t = c.torch
    x_train, y_train, x_test, y_test = _digits(t)
    t.manual_seed(0)
    model = c.call("train_digits", x_train, y_train)
    c.expect(isinstance(model, t.nn.Module), "train_digits should return the trained nn.Module",
             "train_digits 应该返回训练好的 nn.Module", "an nn.Module", c.show(model))
    model.eval()
    with t.no_grad(), c.running("the digits model"):
        out = model(x_test)
    c.tensor(out, shape=(len(y_test), 10), what="model(x_test)")
    acc = float((out.argmax(dim=1) == y_test).float().mean())
    c.expect(acc >= TARGET_ACCURACY, "the model is not accurate enough yet: more epochs, a "
             "hidden layer, or another learning rate?", "模型的准确率还不够：多训练几轮、加一个隐藏层，"
             "或者换一个学习率？", f">= {TARGET_ACCURACY:.2f}", f"{acc:.3f}")


DIGITS = Exercise(
    name="digits", chapter=6, needs=("sklearn",),
    title=T("Classifying handwritten digits", "手写数字分类"),
    theory=T(
        """scikit-learn's digits data set holds 1797 images of handwritten digits, 8x8 pixels
with values 0 to 16. Flattened to 64 numbers and scaled to [0, 1], they make a small
classification problem that trains in seconds on a CPU.

A classifier outputs 10 logits per image and trains on the cross-entropy loss; its
prediction is the class with the largest logit, `argmax(dim=1)`. Accuracy is measured on
held-out data the model never trained on, because a model can memorise its training set.
Mini-batches from a DataLoader usually train faster than the whole set at once.""",
        """scikit-learn 的 digits 数据集包含 1797 张手写数字图像，每张 8x8 像素，取值 0 到 16。把它们展平成 64 个数并
缩放到 [0, 1]，就得到一个在 CPU 上几秒就能训练完的小分类问题。

分类器为每张图像输出 10 个 logits，用交叉熵损失训练；预测结果是 logit 最大的类别，即 `argmax(dim=1)`。准确率
要在模型从未训练过的留出数据上测量，因为模型可能会记住训练集。使用 DataLoader 的小批次通常比一次使用全部数据
训练得更快。"""),
    task=T(
        f"""`accuracy(model, x, y)` returns the fraction of samples whose predicted class
(argmax of model(x)) equals the label, as a Python float, computed in eval mode without a
graph; `train_digits(x_train, y_train)` builds a classifier from (N, 64) float32 inputs to
10 logits, trains it, and returns it. The check tests it on digits it never saw and asks
for an accuracy of at least {TARGET_ACCURACY:.0%}. The check needs scikit-learn
(pip install scikit-learn).""",
        f"""`accuracy(model, x, y)` 在 eval 模式、不带计算图的情况下，以 Python 浮点数返回预测类别（model(x) 的
argmax）等于标签的样本比例；`train_digits(x_train, y_train)` 构建一个从 (N, 64) 的 float32 输入到 10 个
logits 的分类器，训练它并返回。检查会在它从没见过的数字上测试，要求准确率至少为 {TARGET_ACCURACY:.0%}。
检查需要 scikit-learn（pip install scikit-learn）。"""),
    hint=T("nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)) with Adam "
           "(lr=0.01), cross-entropy, batches of 64 for about 20 epochs is plenty.",
           "nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))，配合 Adam（lr=0.01）、"
           "交叉熵、每批 64 个、训练约 20 个 epoch 就足够了。"),
    imports=(
        "import torch",
        "import torch.nn as nn",
        "from torch.utils.data import DataLoader, TensorDataset",
    ),
    starter='''


def accuracy(model, x, y):
    model.eval()
    # TODO: predictions without a graph, then the fraction that is right
    return ...


def train_digits(x_train, y_train):
    model = ...  # TODO: 64 inputs -> 10 logits
    # TODO: a loss, an optimizer, a DataLoader and the training loop
    return model


if __name__ == "__main__":
    from sklearn.datasets import load_digits
    data = load_digits()
    x = torch.tensor(data.data / 16.0, dtype=torch.float32)
    y = torch.tensor(data.target)
    model = train_digits(x[:1400], y[:1400])
    print("test accuracy:", accuracy(model, x[1400:], y[1400:]))
''',
    solution='''


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    return (predicted == y).float().mean().item()


def train_digits(x_train, y_train):
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    model.train()
    for epoch in range(20):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
    return model


if __name__ == "__main__":
    from sklearn.datasets import load_digits
    data = load_digits()
    x = torch.tensor(data.data / 16.0, dtype=torch.float32)
    y = torch.tensor(data.target)
    model = train_digits(x[:1400], y[:1400])
    print("test accuracy:", accuracy(model, x[1400:], y[1400:]))
''',
    checks=[_accuracy, _digits_trained],
)


# ------------------------------------------------------------------ train / eval

def _net(t):
    t.manual_seed(5)
    nn = t.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(8, 2))
    model.train()
    with t.no_grad():
        for _ in range(5):   # give batch norm some running statistics
            model(t.randn(16, 4) * 3 + 1)
    return model


@check("predict(model, x) is repeatable: dropout is off", "predict(model, x) 结果可重复：dropout 已关闭")
def _pred_repeat(c):
    t = c.torch
    model, x = _net(t), t.randn(6, 4)
    a = c.call("predict", model, x)
    b = c.call("predict", model, x)
    c.tensor(a, shape=(6, 2), requires_grad=False, what="predict(model, x)")
    c.tensor(b, a, what="predict(model, x) a second time (eval mode turns dropout off)")


@check("predict uses batch norm's running statistics", "predict 使用批归一化的滑动统计量")
def _pred_bn(c):
    t = c.torch
    model, x = _net(t), t.randn(6, 4)
    whole = c.call("predict", model, x)
    first = c.call("predict", model, x[:2])
    c.tensor(first, whole[:2],
             what="predict on 2 rows vs the same rows in a batch of 6 (use model.eval())")


@check("train_mode(model) switches every layer back to training",
       "train_mode(model) 把每一层切回训练模式")
def _train_mode(c):
    t = c.torch
    model = _net(t)
    model.eval()
    got = c.call("train_mode", model)
    c.expect(got is model, "train_mode should return the model", "train_mode 应该返回模型本身",
             "the model", c.show(got))
    modes = [m.training for m in model.modules()]
    c.expect(all(modes), "some layers are still in eval mode", "仍有层处于 eval 模式",
             "training=True everywhere", modes)


TRAIN_EVAL = Exercise(
    name="train_eval", chapter=6,
    title=T("Train and eval modes", "训练模式与评估模式"),
    theory=T(
        """Some layers behave differently while training. Dropout zeroes a random part of
its input during training (and scales the rest up), and does nothing in evaluation.
Batch norm normalises with the statistics of the current batch during training and keeps
running averages of them; in evaluation it uses those running averages, so one sample's
output no longer depends on the rest of the batch.

`model.train()` and `model.eval()` switch the module and all its children; `training`
says which mode a module is in. Evaluation code calls `model.eval()` and runs under
`torch.no_grad()`; training code calls `model.train()` again before the next epoch.""",
        """有些层在训练时的行为不同。Dropout 在训练时把输入的随机一部分置 0（并把其余部分放大），在评估时什么也不做。
批归一化在训练时用当前批次的统计量做归一化，并维护这些统计量的滑动平均；评估时它使用滑动平均，因此单个样本的
输出不再依赖批次中的其他样本。

`model.train()` 和 `model.eval()` 会切换模块及其所有子模块的模式；`training` 属性说明模块处于哪种模式。评估代码
调用 `model.eval()` 并在 `torch.no_grad()` 下运行；训练代码在下一个 epoch 之前再调用 `model.train()`。"""),
    task=T(
        """`predict(model, x)` returns the model's outputs in evaluation mode without
recording a graph; `train_mode(model)` puts the model (every layer) back into training
mode and returns it. The checks use a model with batch norm and dropout.""",
        """`predict(model, x)` 在评估模式下、不记录计算图地返回模型输出；`train_mode(model)` 把模型（每一层）切回训练
模式并返回它。检查使用一个带批归一化和 dropout 的模型。"""),
    hint=T("model.eval(); with torch.no_grad(): return model(x). And: model.train(); "
           "return model.",
           "model.eval()；with torch.no_grad(): return model(x)。以及：model.train()；return model。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def predict(model, x):
    return ...  # TODO: evaluation mode, no graph


def train_mode(model):
    return ...  # TODO


if __name__ == "__main__":
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5))
    x = torch.randn(3, 4)
    print(model(x))  # training mode: a different result every time
    print(predict(model, x))
''',
    solution='''


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def train_mode(model):
    model.train()
    return model


if __name__ == "__main__":
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5))
    x = torch.randn(3, 4)
    print(model(x))  # training mode: a different result every time
    print(predict(model, x))
''',
    checks=[_pred_repeat, _pred_bn, _train_mode],
)


# ------------------------------------------------------------------ checkpoint

def _trained_pair(t):
    t.manual_seed(6)
    model = t.nn.Linear(3, 2)
    opt = t.optim.Adam(model.parameters(), lr=0.1)
    x = t.randn(8, 3)
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    return model, opt, x


def _step(t, model, opt, x):
    opt.zero_grad()
    model(x).pow(2).mean().backward()
    opt.step()


@check("load_checkpoint restores the weights and returns the epoch",
       "load_checkpoint 恢复权重并返回 epoch")
def _ckpt_weights(c):
    t = c.torch
    model, opt, _ = _trained_pair(t)
    path = os.path.join(c.workdir, "ckpt.pt")
    c.call("save_checkpoint", path, model, opt, 7)
    c.expect(os.path.exists(path), "save_checkpoint wrote no file at the path it was given",
             "save_checkpoint 没有在给定路径写入文件", path, "no file")
    fresh = t.nn.Linear(3, 2)
    fresh_opt = t.optim.Adam(fresh.parameters(), lr=0.1)
    epoch = c.call("load_checkpoint", path, fresh, fresh_opt)
    c.expect(epoch == 7, "load_checkpoint should return the saved epoch",
             "load_checkpoint 应该返回保存的 epoch", 7, epoch)
    c.tensor(fresh.weight.detach(), model.weight.detach(), what="the loaded weight")


@check("the optimizer state comes back too: training resumes exactly",
       "优化器状态也被恢复：训练可以完全一致地继续")
def _ckpt_optimizer(c):
    t = c.torch
    model, opt, x = _trained_pair(t)
    path = os.path.join(c.workdir, "ckpt2.pt")
    c.call("save_checkpoint", path, model, opt, 3)
    fresh = t.nn.Linear(3, 2)
    fresh_opt = t.optim.Adam(fresh.parameters(), lr=0.1)
    c.call("load_checkpoint", path, fresh, fresh_opt)
    _step(t, model, opt, x)
    _step(t, fresh, fresh_opt, x)
    c.tensor(fresh.weight.detach(), model.weight.detach(),
             what="the weight one step after resuming (save optimizer.state_dict() too)")


CHECKPOINT = Exercise(
    name="checkpoint", chapter=6,
    title=T("Saving and loading a checkpoint", "保存与加载检查点"),
    theory=T(
        """`torch.save(obj, path)` writes tensors, and dicts or lists of them, to a file;
`torch.load(path)` reads them back. The usual way to save a model is its `state_dict()`,
not the model object: loading then needs the class, but no pickled code.

A checkpoint that lets training resume holds more than the weights: the optimizer's
`state_dict()` (Adam's running averages and step counts), the epoch, and anything else
the loop needs. `model.load_state_dict(...)` and `optimizer.load_state_dict(...)` put
them back into freshly built objects.""",
        """`torch.save(obj, path)` 把张量（以及由张量组成的字典或列表）写入文件；`torch.load(path)` 把它们读回来。
保存模型的常规做法是保存它的 `state_dict()`，而不是模型对象本身：加载时需要有类的定义，但不需要被 pickle 的代码。

能让训练继续的检查点不仅仅包含权重：还有优化器的 `state_dict()`（Adam 的滑动平均和步数）、当前 epoch，以及
训练循环需要的其他东西。`model.load_state_dict(...)` 和 `optimizer.load_state_dict(...)` 把它们放回新建的对象中。"""),
    task=T(
        """`save_checkpoint(path, model, optimizer, epoch)` saves the model's and the
optimizer's state and the epoch in one file at path; `load_checkpoint(path, model,
optimizer)` loads that file into the given (freshly built) model and optimizer and
returns the epoch.""",
        """`save_checkpoint(path, model, optimizer, epoch)` 把模型和优化器的状态以及 epoch 保存到 path 处的一个文件中；
`load_checkpoint(path, model, optimizer)` 把该文件加载到给定的（新建的）模型和优化器中，并返回 epoch。"""),
    hint=T("torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), "
           "'epoch': epoch}, path); then torch.load(path) and the two load_state_dict calls.",
           "torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), "
           "'epoch': epoch}, path)；然后 torch.load(path)，再调用两次 load_state_dict。"),
    imports=("import torch",),
    starter='''


def save_checkpoint(path, model, optimizer, epoch):
    raise NotImplementedError("TODO")


def load_checkpoint(path, model, optimizer):
    raise NotImplementedError("TODO")
''',
    solution='''


def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
''',
    checks=[_ckpt_weights, _ckpt_optimizer],
)


# ------------------------------------------------------------------ devices

@check("pick_device() is cuda when available, else cpu", "pick_device() 在 cuda 可用时返回 cuda，否则返回 cpu")
def _pick(c):
    t = c.torch
    got = c.call("pick_device")
    c.expect(isinstance(got, t.device), "pick_device should return a torch.device",
             "pick_device 应该返回 torch.device", "torch.device", c.show(got))
    want = "cuda" if t.cuda.is_available() else "cpu"
    c.expect(got.type == want, f"this machine should use {want}", f"这台机器应该使用 {want}",
             want, got.type)


@check("to_device(batch, device) moves every tensor of a dict", "to_device(batch, device) 移动字典中的每个张量")
def _to_device(c):
    t = c.torch
    device = t.device("cuda" if t.cuda.is_available() else "cpu")
    batch = {"x": t.ones(2, 3), "y": t.tensor([1, 0])}
    got = c.call("to_device", batch, device)
    c.expect(isinstance(got, dict) and set(got) == {"x", "y"},
             "to_device should return a dict with the same keys",
             "to_device 应该返回键相同的字典", "{'x': ..., 'y': ...}", c.show(got))
    for key in ("x", "y"):
        c.expect(c.is_tensor(got[key]) and got[key].device.type == device.type,
                 f"batch[{key!r}] is not on {device}", f"batch[{key!r}] 不在 {device} 上",
                 str(device), c.show(got[key]))
        c.tensor(got[key].cpu(), batch[key], what=f"to_device(batch)[{key!r}]")


@check("model_on(model, device) moves the parameters", "model_on(model, device) 移动模型参数")
def _model_on(c):
    t = c.torch
    device = t.device("cuda" if t.cuda.is_available() else "cpu")
    model = c.call("model_on", t.nn.Linear(2, 2), device)
    c.expect(isinstance(model, t.nn.Module), "model_on should return the model",
             "model_on 应该返回模型", "an nn.Module", c.show(model))
    types = {p.device.type for p in model.parameters()}
    c.expect(types == {device.type}, f"the parameters should be on {device}",
             f"参数应该在 {device} 上", device.type, types)


DEVICES = Exercise(
    name="devices", chapter=6,
    title=T("Devices: GPU with a CPU fallback", "设备：有 GPU 用 GPU，否则用 CPU"),
    theory=T(
        """A tensor lives on a device: `cpu`, or `cuda` (an NVIDIA GPU) where one is present.
`torch.cuda.is_available()` says whether a GPU can be used, so portable code picks its
device once: `torch.device("cuda" if torch.cuda.is_available() else "cpu")`.

`t.to(device)` returns the tensor on that device (the same tensor if it is already
there); `model.to(device)` moves a model's parameters in place and returns the model.
Every tensor of one operation must be on the same device, so the batches of a training
loop are moved next to the model.""",
        """张量存放在某个设备上：`cpu`，或者在有 NVIDIA GPU 时的 `cuda`。`torch.cuda.is_available()` 说明能否使用 GPU，
所以可移植的代码会先选定设备：`torch.device("cuda" if torch.cuda.is_available() else "cpu")`。

`t.to(device)` 返回位于该设备上的张量（如果已经在那里，就返回同一个张量）；`model.to(device)` 原地移动模型的参数
并返回模型。一次运算涉及的所有张量都必须在同一设备上，所以训练循环中的批次要移到模型所在的设备。"""),
    task=T(
        """`pick_device()` returns `torch.device("cuda")` where CUDA is available and
`torch.device("cpu")` otherwise; `to_device(batch, device)` returns a new dict with every
tensor of the dict `batch` moved to device; `model_on(model, device)` moves the model to
device and returns it.""",
        """`pick_device()` 在 CUDA 可用时返回 `torch.device("cuda")`，否则返回 `torch.device("cpu")`；
`to_device(batch, device)` 返回一个新字典，其中字典 batch 的每个张量都已移到 device；`model_on(model, device)`
把模型移到 device 并返回它。"""),
    hint=T("torch.device(\"cuda\" if torch.cuda.is_available() else \"cpu\"); "
           "{k: v.to(device) for k, v in batch.items()}; model.to(device).",
           "torch.device(\"cuda\" if torch.cuda.is_available() else \"cpu\")；"
           "{k: v.to(device) for k, v in batch.items()}；model.to(device)。"),
    imports=("import torch",),
    starter='''


def pick_device():
    return ...  # TODO: cuda if available, else cpu


def to_device(batch, device):
    return ...  # TODO: a new dict


def model_on(model, device):
    return ...  # TODO


if __name__ == "__main__":
    print(pick_device())
''',
    solution='''


def pick_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_device(batch, device):
    return {key: value.to(device) for key, value in batch.items()}


def model_on(model, device):
    return model.to(device)


if __name__ == "__main__":
    print(pick_device())
''',
    checks=[_pick, _to_device, _model_on],
)


EXERCISES = [LINEAR_REGRESSION, DIGITS, TRAIN_EVAL, CHECKPOINT, DEVICES]
