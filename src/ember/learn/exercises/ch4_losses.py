"""Chapter 4: losses and optimizers — MSE and cross-entropy by hand and from nn, an SGD step,
Adam, and a learning-rate schedule."""
from ..model import Exercise, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ mse

def _pair(t):
    g = t.Generator().manual_seed(0)
    return t.randn(6, 3, generator=g), t.randn(6, 3, generator=g)


@check("mse_by_hand(pred, target) equals nn.MSELoss", "mse_by_hand(pred, target) 等于 nn.MSELoss")
def _mse_hand(c):
    t = c.torch
    pred, target = _pair(t)
    c.tensor(c.call("mse_by_hand", pred, target), t.nn.functional.mse_loss(pred, target),
             what="mse_by_hand(pred, target)")


@check("mse_with_nn(pred, target) uses the library's loss", "mse_with_nn(pred, target) 使用库里的损失函数")
def _mse_nn(c):
    t = c.torch
    pred, target = _pair(t)
    c.tensor(c.call("mse_with_nn", pred, target), t.nn.functional.mse_loss(pred, target),
             what="mse_with_nn(pred, target)")


@check("the hand-made loss is a scalar that gradients flow through",
       "手写的损失是标量，梯度能流过它")
def _mse_grad(c):
    t = c.torch
    pred, target = _pair(t)
    pred.requires_grad_(True)
    got = c.call("mse_by_hand", pred, target)
    c.tensor(got, shape=(), requires_grad=True, what="mse_by_hand(pred, target)")
    got.backward()
    c.tensor(pred.grad, 2 * (pred.detach() - target) / pred.numel(), what="pred.grad")


MSE = Exercise(
    name="mse", chapter=4,
    title=T("Mean squared error", "均方误差"),
    theory=T(
        """A loss function turns the model's predictions and the targets into one number to
minimise. For regression the usual one is the mean squared error: the mean over every
element of (prediction - target)**2.

`nn.MSELoss()` is a module that computes it (`loss_fn = nn.MSELoss(); loss_fn(pred,
target)`), and `nn.functional.mse_loss` is the same as a function. Written by hand with
tensor operations, it gives the same value and the same gradients, since autograd
differentiates whatever you write.""",
        """损失函数把模型的预测和目标变成一个需要最小化的数。回归问题常用均方误差：对所有元素求
(预测 - 目标)**2 的平均值。

`nn.MSELoss()` 是计算它的模块（`loss_fn = nn.MSELoss(); loss_fn(pred, target)`），`nn.functional.mse_loss`
是对应的函数。用张量运算手写出来，会得到同样的值和同样的梯度，因为自动微分能对你写下的任何运算求导。"""),
    task=T(
        """`mse_by_hand(pred, target)` returns the mean squared error using tensor
operations only; `mse_with_nn(pred, target)` returns it using `nn.MSELoss` (or
`nn.functional.mse_loss`). Both return a 0-dim tensor.""",
        """`mse_by_hand(pred, target)` 只用张量运算返回均方误差；`mse_with_nn(pred, target)` 用 `nn.MSELoss`
（或 `nn.functional.mse_loss`）返回它。两者都返回 0 维张量。"""),
    hint=T("((pred - target) ** 2).mean(); nn.MSELoss()(pred, target).",
           "((pred - target) ** 2).mean()；nn.MSELoss()(pred, target)。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def mse_by_hand(pred, target):
    return ...  # TODO


def mse_with_nn(pred, target):
    return ...  # TODO
''',
    solution='''


def mse_by_hand(pred, target):
    return ((pred - target) ** 2).mean()


def mse_with_nn(pred, target):
    return nn.MSELoss()(pred, target)
''',
    checks=[_mse_hand, _mse_nn, _mse_grad],
)


# ------------------------------------------------------------------ cross-entropy

def _logits(t):
    g = t.Generator().manual_seed(1)
    return t.randn(5, 4, generator=g), t.tensor([0, 3, 1, 1, 2])


@check("cross_entropy_by_hand(logits, labels) equals nn.CrossEntropyLoss",
       "cross_entropy_by_hand(logits, labels) 等于 nn.CrossEntropyLoss")
def _ce_hand(c):
    t = c.torch
    logits, labels = _logits(t)
    c.tensor(c.call("cross_entropy_by_hand", logits, labels),
             t.nn.functional.cross_entropy(logits, labels), what="cross_entropy_by_hand")


@check("it stays finite for large logits (e.g. 1000)", "logits 很大（如 1000）时结果仍然有限")
def _ce_stable(c):
    t = c.torch
    logits = t.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
    labels = t.tensor([0, 2])
    got = c.call("cross_entropy_by_hand", logits, labels)
    c.tensor(got, t.nn.functional.cross_entropy(logits, labels),
             what="cross_entropy_by_hand(large logits)")


@check("cross_entropy_with_nn(logits, labels) uses the library's loss",
       "cross_entropy_with_nn(logits, labels) 使用库里的损失函数")
def _ce_nn(c):
    t = c.torch
    logits, labels = _logits(t)
    c.tensor(c.call("cross_entropy_with_nn", logits, labels),
             t.nn.functional.cross_entropy(logits, labels), what="cross_entropy_with_nn")


CROSS_ENTROPY = Exercise(
    name="cross_entropy", chapter=4,
    title=T("Cross-entropy", "交叉熵"),
    theory=T(
        """A classifier outputs one score (logit) per class. Softmax turns the scores into
probabilities, and the cross-entropy loss is the mean over the batch of -log(probability
of the true class): small when the model is confidently right.

log(softmax(z))[k] = z[k] - log(sum(exp(z))). Computing exp directly overflows for large
scores; `torch.logsumexp` (or `log_softmax`) subtracts the maximum first and stays exact.
`nn.CrossEntropyLoss` takes raw logits and integer labels (int64), never probabilities.""",
        """分类器为每个类别输出一个分数（logit）。softmax 把分数变成概率，交叉熵损失是对批次求
-log(真实类别的概率) 的平均值：模型自信且正确时，损失就小。

log(softmax(z))[k] = z[k] - log(sum(exp(z)))。分数很大时直接算 exp 会溢出；`torch.logsumexp`
（或 `log_softmax`）会先减去最大值，结果依然精确。`nn.CrossEntropyLoss` 接收原始 logits 和整数标签
（int64），而不是概率。"""),
    task=T(
        """`cross_entropy_by_hand(logits, labels)` takes (N, C) logits and N int64 labels and
returns the mean cross-entropy with tensor operations, without overflowing for large
logits; `cross_entropy_with_nn(logits, labels)` returns it using `nn.CrossEntropyLoss`.""",
        """`cross_entropy_by_hand(logits, labels)` 接收 (N, C) 的 logits 和 N 个 int64 标签，用张量运算返回平均
交叉熵，logits 很大时也不能溢出；`cross_entropy_with_nn(logits, labels)` 用 `nn.CrossEntropyLoss` 返回它。"""),
    hint=T("log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True); pick the true "
           "class with log_probs[torch.arange(len(labels)), labels]; negate and average.",
           "log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)；用 "
           "log_probs[torch.arange(len(labels)), labels] 取出真实类别；取负再求平均。"),
    imports=("import torch", "import torch.nn as nn"),
    starter='''


def cross_entropy_by_hand(logits, labels):
    return ...  # TODO: stable for large logits


def cross_entropy_with_nn(logits, labels):
    return ...  # TODO
''',
    solution='''


def cross_entropy_by_hand(logits, labels):
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -log_probs[torch.arange(len(labels)), labels].mean()


def cross_entropy_with_nn(logits, labels):
    return nn.CrossEntropyLoss()(logits, labels)
''',
    checks=[_ce_hand, _ce_stable, _ce_nn],
)


# ------------------------------------------------------------------ SGD

def _regression(t):
    g = t.Generator().manual_seed(2)
    x = t.randn(8, 3, generator=g)
    return x, x.sum(dim=1, keepdim=True) * 0.5 + 1.0


def _fresh_model(t, seed=3):
    t.manual_seed(seed)
    return t.nn.Linear(3, 1)


@check("make_sgd(model) is SGD with lr 0.1 and momentum 0.9", "make_sgd(model) 是 lr 0.1、momentum 0.9 的 SGD")
def _make_sgd(c):
    t = c.torch
    model = _fresh_model(t)
    opt = c.call("make_sgd", model)
    c.expect(isinstance(opt, t.optim.SGD), "make_sgd should return a torch.optim.SGD",
             "make_sgd 应该返回 torch.optim.SGD", "SGD", type(opt).__name__)
    group = opt.param_groups[0]
    got = (group["lr"], group["momentum"])
    c.expect(got == (0.1, 0.9), "make_sgd has the wrong settings", "make_sgd 的设置不对",
             "lr=0.1 momentum=0.9", f"lr={got[0]} momentum={got[1]}")
    c.expect(len(group["params"]) == 2, "the optimizer should hold the model's parameters",
             "优化器应该持有模型的参数", 2, len(group["params"]))


@check("train_step does zero_grad, loss, backward, step", "train_step 依次做 zero_grad、损失、backward、step")
def _train_step(c):
    t = c.torch
    x, y = _regression(t)
    model, ref = _fresh_model(t), _fresh_model(t)
    opt = t.optim.SGD(model.parameters(), lr=0.05)
    ref_opt = t.optim.SGD(ref.parameters(), lr=0.05)
    for step in range(3):
        got = c.call("train_step", model, opt, x, y)
        ref_opt.zero_grad()
        loss = t.nn.functional.mse_loss(ref(x), y)
        loss.backward()
        ref_opt.step()
        c.expect(isinstance(got, float), "train_step should return the loss as a Python float "
                 "(loss.item())", "train_step 应该以 Python 浮点数返回损失（loss.item()）",
                 f"{loss.item():.5f}", c.show(got))
        c.expect(abs(got - loss.item()) < 1e-4, f"step {step}: the loss is off "
                 "(computed before the step?)", f"第 {step} 步：损失不对（是在 step 之前计算的吗？）",
                 f"{loss.item():.5f}", f"{got:.5f}")
        c.tensor(model.weight.detach(), ref.weight.detach(),
                 what=f"the weight after step {step} (zero the gradients each step)")


SGD = Exercise(
    name="sgd", chapter=4,
    title=T("An SGD training step", "一个 SGD 训练步骤"),
    theory=T(
        """An optimizer updates parameters from their gradients. Stochastic gradient descent
moves each parameter a little against its gradient, p = p - lr * p.grad; with momentum it
keeps a running direction that smooths the steps.

`torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)` holds the parameters. Every
training step is the same four lines: `optimizer.zero_grad()` (gradients accumulate),
compute the loss, `loss.backward()`, `optimizer.step()`. `loss.item()` turns the 0-dim
loss into a Python float for printing.""",
        """优化器根据梯度更新参数。随机梯度下降让每个参数沿梯度的反方向移动一小步：p = p - lr * p.grad；加上动量后，
它会保留一个滑动的方向，让步伐更平滑。

`torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)` 持有这些参数。每个训练步骤都是同样的四行：
`optimizer.zero_grad()`（梯度会累加）、计算损失、`loss.backward()`、`optimizer.step()`。`loss.item()` 把 0 维的
损失变成 Python 浮点数，便于打印。"""),
    task=T(
        """`make_sgd(model)` returns an SGD optimizer over the model's parameters with
lr 0.1 and momentum 0.9; `train_step(model, optimizer, x, y)` does one training step with
the mean squared error of model(x) against y and returns the loss (computed before the
update) as a Python float.""",
        """`make_sgd(model)` 返回作用于模型参数、lr 为 0.1、momentum 为 0.9 的 SGD 优化器；
`train_step(model, optimizer, x, y)` 以 model(x) 与 y 的均方误差做一个训练步骤，并以 Python 浮点数返回
（更新之前算出的）损失。"""),
    hint=T("optimizer.zero_grad(); loss = F.mse_loss(model(x), y); loss.backward(); "
           "optimizer.step(); return loss.item().",
           "optimizer.zero_grad()；loss = F.mse_loss(model(x), y)；loss.backward()；optimizer.step()；"
           "return loss.item()。"),
    imports=("import torch", "import torch.nn.functional as F"),
    starter='''


def make_sgd(model):
    return ...  # TODO


def train_step(model, optimizer, x, y):
    # TODO: zero the gradients, compute the loss, backward, step
    return ...
''',
    solution='''


def make_sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
''',
    checks=[_make_sgd, _train_step],
)


# ------------------------------------------------------------------ Adam

@check("fit_adam returns one loss per step, falling", "fit_adam 每步返回一个损失，且不断下降")
def _adam_losses(c):
    t = c.torch
    x, y = _regression(t)
    losses = c.call("fit_adam", _fresh_model(t), x, y, 60, 0.05)
    c.expect(isinstance(losses, list) and len(losses) == 60,
             "fit_adam(model, x, y, 60, lr) should return a list of 60 losses",
             "fit_adam(model, x, y, 60, lr) 应该返回 60 个损失组成的列表", "60 floats",
             c.show(losses))
    c.expect(float(losses[-1]) < float(losses[0]) / 4, "the loss did not fall enough",
             "损失下降得不够", f"last < first / 4 (first={float(losses[0]):.4f})",
             f"last={float(losses[-1]):.4f}")


@check("fit_adam trains exactly like torch.optim.Adam", "fit_adam 的训练结果与 torch.optim.Adam 完全一致")
def _adam_exact(c):
    t = c.torch
    x, y = _regression(t)
    model, ref = _fresh_model(t), _fresh_model(t)
    c.call("fit_adam", model, x, y, 20, 0.05)
    opt = t.optim.Adam(ref.parameters(), lr=0.05)
    for _ in range(20):
        opt.zero_grad()
        t.nn.functional.mse_loss(ref(x), y).backward()
        opt.step()
    c.tensor(model.weight.detach(), ref.weight.detach(), what="the weight after 20 Adam steps",
             atol=1e-4)


ADAM = Exercise(
    name="adam", chapter=4,
    title=T("Adam", "Adam 优化器"),
    theory=T(
        """Adam keeps, for every parameter, running averages of its gradient and of the
gradient's square, and scales each step by their ratio. Every parameter thus gets its own
step size, which makes Adam forgiving about the learning rate; `lr=1e-3` is a common
default, small problems take larger ones.

Swapping optimizers changes one line: `torch.optim.Adam(model.parameters(), lr=0.01)`.
The training loop stays zero_grad, loss, backward, step.""",
        """Adam 为每个参数维护梯度及梯度平方的滑动平均，并按两者之比缩放每一步。于是每个参数都有自己的步长，这让 Adam
对学习率不那么敏感；`lr=1e-3` 是常用的默认值，小问题可以用更大的值。

换优化器只需要改一行：`torch.optim.Adam(model.parameters(), lr=0.01)`。训练循环依旧是 zero_grad、损失、
backward、step。"""),
    task=T(
        """`fit_adam(model, x, y, steps, lr)` trains the model for `steps` steps with Adam at
learning rate lr on the mean squared error of model(x) against y (the whole data every
step), and returns the list of the losses of each step as Python floats.""",
        """`fit_adam(model, x, y, steps, lr)` 用学习率为 lr 的 Adam，以 model(x) 与 y 的均方误差训练模型 steps 步
（每步使用全部数据），并以 Python 浮点数列表返回每一步的损失。"""),
    hint=T("Create torch.optim.Adam(model.parameters(), lr=lr) once, before the loop; append "
           "loss.item() each step.",
           "在循环之前创建一次 torch.optim.Adam(model.parameters(), lr=lr)；每一步追加 loss.item()。"),
    imports=("import torch", "import torch.nn.functional as F"),
    starter='''


def fit_adam(model, x, y, steps, lr):
    losses = []
    # TODO: an Adam optimizer, then `steps` training steps
    return losses or ...
''',
    solution='''


def fit_adam(model, x, y, steps, lr):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
    checks=[_adam_losses, _adam_exact],
)


# ------------------------------------------------------------------ LR schedule

def _lrs(c, name, epochs):
    t = c.torch
    opt = t.optim.SGD([t.nn.Parameter(t.zeros(1))], lr=1.0)
    sched = c.call(name, opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(round(opt.param_groups[0]["lr"], 6))
        opt.step()
        with c.running(f"the scheduler of {name}"):
            sched.step()
    return lrs


@check("halve_every_10(optimizer) halves the lr every 10 epochs",
       "halve_every_10(optimizer) 每 10 个 epoch 把学习率减半")
def _step_lr(c):
    got = _lrs(c, "halve_every_10", 30)
    want = [1.0] * 10 + [0.5] * 10 + [0.25] * 10
    c.expect(got == want, "the learning rates per epoch are wrong", "每个 epoch 的学习率不对",
             "1.0 x10, 0.5 x10, 0.25 x10", got)


@check("warmup(optimizer) ramps the lr up over 4 epochs", "warmup(optimizer) 在 4 个 epoch 内逐步升高学习率")
def _warmup(c):
    got = _lrs(c, "warmup", 7)
    want = [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0]
    c.expect(got == want, "the learning rates per epoch are wrong", "每个 epoch 的学习率不对",
             want, got)


LR_SCHEDULE = Exercise(
    name="lr_schedule", chapter=4,
    title=T("Learning-rate schedules", "学习率调度"),
    theory=T(
        """Large steps help early in training and hurt late, so the learning rate usually
changes over time. A scheduler wraps an optimizer and sets `param_groups[i]["lr"]` each
time `scheduler.step()` is called, once per epoch after the optimizer's steps.

`StepLR(opt, step_size=10, gamma=0.5)` multiplies the rate by gamma every step_size
epochs. `LambdaLR(opt, lr_lambda)` sets it to the initial rate times `lr_lambda(epoch)`,
which can express any schedule, such as a warm-up that starts small and grows.""",
        """训练初期大步长有帮助，后期则有害，所以学习率通常随时间变化。调度器包装一个优化器，每次调用
`scheduler.step()`（每个 epoch 在优化器的若干步之后调用一次）时设置 `param_groups[i]["lr"]`。

`StepLR(opt, step_size=10, gamma=0.5)` 每 step_size 个 epoch 把学习率乘以 gamma。`LambdaLR(opt, lr_lambda)`
把学习率设为初始学习率乘以 `lr_lambda(epoch)`，可以表达任何调度方式，例如从小开始逐渐变大的预热（warm-up）。"""),
    task=T(
        """`halve_every_10(optimizer)` returns a scheduler that halves the learning rate every
10 epochs; `warmup(optimizer)` returns a scheduler that gives 1/4, 2/4, 3/4 of the
initial rate in epochs 0, 1, 2 and the full rate from epoch 3 on.""",
        """`halve_every_10(optimizer)` 返回每 10 个 epoch 把学习率减半的调度器；`warmup(optimizer)` 返回的调度器在第
0、1、2 个 epoch 给出初始学习率的 1/4、2/4、3/4，从第 3 个 epoch 起给出完整的学习率。"""),
    hint=T("torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5); "
           "LambdaLR(optimizer, lambda epoch: min(1.0, (epoch + 1) / 4)).",
           "torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)；"
           "LambdaLR(optimizer, lambda epoch: min(1.0, (epoch + 1) / 4))。"),
    imports=("import torch", "from torch.optim import lr_scheduler"),
    starter='''


def halve_every_10(optimizer):
    return ...  # TODO


def warmup(optimizer):
    return ...  # TODO: 1/4, 2/4, 3/4, then the full rate
''',
    solution='''


def halve_every_10(optimizer):
    return lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)


def warmup(optimizer):
    return lr_scheduler.LambdaLR(optimizer, lambda epoch: min(1.0, (epoch + 1) / 4))
''',
    checks=[_step_lr, _warmup],
)


EXERCISES = [MSE, CROSS_ENTROPY, SGD, ADAM, LR_SCHEDULE]
