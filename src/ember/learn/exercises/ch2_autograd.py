"""Chapter 2: autograd — backward, gradient accumulation, no_grad / detach, and a gradient
worked out by hand next to the one autograd finds."""
from ..model import Exercise, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ backward

@check("leaf(values) is a float32 leaf that requires grad", "leaf(values) 是需要梯度的 float32 叶子张量")
def _leaf(c):
    t = c.torch
    got = c.call("leaf", [1.0, 2.0, 3.0])
    c.tensor(got, t.tensor([1.0, 2.0, 3.0]), requires_grad=True, what="leaf([1, 2, 3])")
    c.expect(got.is_leaf, "leaf(...) should be a leaf tensor (made directly, not computed)",
             "leaf(...) 应该是叶子张量（直接创建，而不是计算得到）", "is_leaf=True", "is_leaf=False")


@check("grad_of_cubes(values) is d/dx of sum(x**3) = 3x**2", "grad_of_cubes(values) 是 sum(x**3) 的导数 3x**2")
def _cubes(c):
    t = c.torch
    got = c.call("grad_of_cubes", [1.0, -2.0, 0.5])
    c.tensor(got, t.tensor([3.0, 12.0, 0.75]), what="grad_of_cubes([1, -2, 0.5])")


@check("grad_of_product(a, b) gives the two partial derivatives of a*b + a**2",
       "grad_of_product(a, b) 给出 a*b + a**2 的两个偏导数")
def _product(c):
    t = c.torch
    got = c.call("grad_of_product", 3.0, 5.0)
    c.expect(isinstance(got, tuple) and len(got) == 2, "grad_of_product should return a pair",
             "grad_of_product 应该返回两个值", "(df/da, df/db)", c.show(got))
    c.tensor(got[0], t.tensor(11.0), what="df/da at a=3, b=5")
    c.tensor(got[1], t.tensor(3.0), what="df/db at a=3, b=5")


BACKWARD = Exercise(
    name="backward", chapter=2,
    title=T("requires_grad and backward", "requires_grad 与 backward"),
    theory=T(
        """Autograd records every operation on tensors that have `requires_grad=True` in a
graph. Calling `backward()` on a scalar result walks that graph backwards with the chain
rule and stores d(result)/d(x) in `x.grad` for every leaf x that requires grad.

A leaf is a tensor you made yourself (`torch.tensor(..., requires_grad=True)`), not the
result of an operation. Only floating tensors can require grad. Results of operations on
such leaves require grad too, and carry a `grad_fn` that says how they were made.""",
        """自动微分会把对 `requires_grad=True` 的张量所做的每一步运算记录成一张计算图。对一个标量结果调用
`backward()`，会按链式法则反向遍历这张图，并把 d(结果)/d(x) 存到每个需要梯度的叶子张量 x 的 `x.grad` 中。

叶子张量是你自己创建的张量（`torch.tensor(..., requires_grad=True)`），而不是运算的结果。只有浮点张量
才能需要梯度。对这些叶子做运算得到的结果也需要梯度，并带有说明其来历的 `grad_fn`。"""),
    task=T(
        """`leaf(values)` returns a float32 tensor of the values that requires grad;
`grad_of_cubes(values)` returns the gradient of sum(x**3) at x = values;
`grad_of_product(a, b)` takes two Python floats and returns (df/da, df/db) for
f = a*b + a**2, as tensors computed by autograd.""",
        """`leaf(values)` 返回由这些值组成、需要梯度的 float32 张量；`grad_of_cubes(values)` 返回 sum(x**3) 在
x = values 处的梯度；`grad_of_product(a, b)` 接收两个 Python 浮点数，用自动微分计算 f = a*b + a**2 的
(df/da, df/db)，以张量返回。"""),
    hint=T("torch.tensor(values, requires_grad=True); compute the scalar, call .backward(), "
           "then read x.grad (and a.grad, b.grad).",
           "torch.tensor(values, requires_grad=True)；算出标量，调用 .backward()，然后读取 x.grad"
           "（以及 a.grad、b.grad）。"),
    imports=("import torch",),
    starter='''


def leaf(values):
    return ...  # TODO


def grad_of_cubes(values):
    x = leaf(values)
    # TODO: build sum(x**3) and call backward
    return ...


def grad_of_product(a, b):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    # TODO: f = a*b + a**2, backward, return both gradients
    return ..., ...
''',
    solution='''


def leaf(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)


def grad_of_cubes(values):
    x = leaf(values)
    (x ** 3).sum().backward()
    return x.grad


def grad_of_product(a, b):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    f = a * b + a ** 2
    f.backward()
    return a.grad, b.grad
''',
    checks=[_leaf, _cubes, _product],
)


# ------------------------------------------------------------------ accumulation

@check("two backward passes without zeroing add up", "不清零时两次反向传播的梯度会累加")
def _twice(c):
    t = c.torch
    got = c.call("grad_after_two_backwards", [1.0, 2.0])
    c.tensor(got, t.tensor([4.0, 8.0]), what="grad_after_two_backwards([1, 2])")


@check("grads_per_step records 2x at every step (zeroed in between)",
       "grads_per_step 每一步都记录到 2x（中间清零）")
def _per_step(c):
    t = c.torch
    got = c.call("grads_per_step", [1.0, -3.0], 3)
    c.expect(isinstance(got, list) and len(got) == 3, "grads_per_step(values, 3) should return "
             "a list of 3 gradients", "grads_per_step(values, 3) 应该返回 3 个梯度组成的列表",
             "a list of 3 tensors", c.show(got))
    for i, g in enumerate(got):
        c.tensor(g, t.tensor([2.0, -6.0]), what=f"gradient of step {i}")


@check("total_grad(values) adds the gradients of two losses", "total_grad(values) 把两个损失的梯度加在一起")
def _total(c):
    t = c.torch
    got = c.call("total_grad", [1.0, 2.0])
    c.tensor(got, t.tensor([5.0, 7.0]), what="total_grad([1, 2])")


ACCUMULATION = Exercise(
    name="accumulation", chapter=2,
    title=T("Gradients accumulate: zeroing them", "梯度会累加：清零"),
    theory=T(
        """`backward()` does not overwrite `x.grad`, it adds to it. That is useful when a
gradient is the sum of several parts (several losses, or several small batches), and a
classic bug otherwise: every training step must start from zero.

`x.grad.zero_()` zeroes the gradient in place, and `x.grad = None` drops it (the next
backward creates a fresh one); an optimizer's `zero_grad()` does the same for all its
parameters. A gradient tensor you keep for later must be copied with `.clone()`, because
zeroing changes it in place.""",
        """`backward()` 不会覆盖 `x.grad`，而是把新梯度加上去。当梯度是几部分之和（几个损失，或几个小批次）时
这很有用，否则就是经典的错误：每个训练步骤都必须从零开始。

`x.grad.zero_()` 原地把梯度清零，`x.grad = None` 则直接丢掉它（下一次 backward 会新建一个）；优化器的
`zero_grad()` 对所有参数做同样的事。如果要保存某一步的梯度，必须用 `.clone()` 复制，因为清零是原地修改。"""),
    task=T(
        """With f(x) = sum(x**2): `grad_after_two_backwards(values)` computes f and calls
backward twice (a fresh forward pass each time) without zeroing and returns x.grad;
`grads_per_step(values, steps)` runs `steps` forward/backward passes, zeroing in between,
and returns the list of the gradients of each step; `total_grad(values)` returns the
gradient of sum(x**2) plus that of sum(3*x), from two backward calls.""",
        """设 f(x) = sum(x**2)：`grad_after_two_backwards(values)` 计算 f 并调用两次 backward（每次重新前向计算），
中间不清零，返回 x.grad；`grads_per_step(values, steps)` 做 steps 次前向和反向传播，中间清零，返回每一步的
梯度组成的列表；`total_grad(values)` 通过两次 backward 调用，返回 sum(x**2) 与 sum(3*x) 的梯度之和。"""),
    hint=T("Keep each step's gradient with x.grad.clone() before zeroing with x.grad.zero_() "
           "(or set x.grad = None).",
           "在用 x.grad.zero_() 清零（或设 x.grad = None）之前，用 x.grad.clone() 保存每一步的梯度。"),
    imports=("import torch",),
    starter='''


def grad_after_two_backwards(values):
    x = torch.tensor(values, requires_grad=True)
    # TODO: two forward + backward passes of sum(x**2), no zeroing
    return ...


def grads_per_step(values, steps):
    x = torch.tensor(values, requires_grad=True)
    grads = []
    for _ in range(steps):
        ...  # TODO: zero, forward, backward, keep a copy of x.grad
    return grads or ...


def total_grad(values):
    x = torch.tensor(values, requires_grad=True)
    # TODO: backward of sum(x**2), then backward of sum(3*x)
    return ...
''',
    solution='''


def grad_after_two_backwards(values):
    x = torch.tensor(values, requires_grad=True)
    for _ in range(2):
        (x ** 2).sum().backward()
    return x.grad


def grads_per_step(values, steps):
    x = torch.tensor(values, requires_grad=True)
    grads = []
    for _ in range(steps):
        if x.grad is not None:
            x.grad.zero_()
        (x * x).sum().backward()
        grads.append(x.grad.clone())
    return grads


def total_grad(values):
    x = torch.tensor(values, requires_grad=True)
    (x ** 2).sum().backward()
    (3 * x).sum().backward()
    return x.grad
''',
    checks=[_twice, _per_step, _total],
)


# ------------------------------------------------------------------ no_grad / detach

@check("predict(w, x) is computed without a graph", "predict(w, x) 在不建计算图的情况下计算")
def _predict(c):
    t = c.torch
    w = t.tensor([[1.0], [2.0]], requires_grad=True)
    x = t.tensor([[1.0, 1.0], [0.0, 3.0]])
    got = c.call("predict", w, x)
    c.tensor(got, t.tensor([[3.0], [6.0]]), requires_grad=False, what="predict(w, x)")


@check("frozen(t) shares t's values but not its graph", "frozen(t) 与 t 共享数值，但不共享计算图")
def _frozen(c):
    t = c.torch
    src = t.tensor([1.0, 2.0], requires_grad=True)
    y = src * 2
    got = c.call("frozen", y)
    c.tensor(got, t.tensor([2.0, 4.0]), requires_grad=False, what="frozen(y)")
    c.expect(c.shares_memory(got, y), "frozen(y) should share memory with y (detach, not clone)",
             "frozen(y) 应该与 y 共享内存（用 detach，而不是 clone）", "a view of y", "a copy")


@check("sgd_update_(w, lr) steps w in place and keeps it a leaf", "sgd_update_(w, lr) 原地更新 w，且 w 仍是叶子")
def _update(c):
    t = c.torch
    w = t.tensor([1.0, -1.0], requires_grad=True)
    (w * t.tensor([2.0, 4.0])).sum().backward()
    got = c.call("sgd_update_", w, 0.5)
    c.expect(got is w, "sgd_update_ should return w itself", "sgd_update_ 应该返回 w 本身",
             "w", c.show(got))
    c.tensor(w, t.tensor([0.0, -3.0]), requires_grad=True, what="w after the update")
    c.expect(w.is_leaf, "w should stay a leaf tensor (update it under torch.no_grad())",
             "w 应该仍然是叶子张量（在 torch.no_grad() 下更新）", "is_leaf=True", "is_leaf=False")


NO_GRAD = Exercise(
    name="no_grad", chapter=2,
    title=T("no_grad and detach", "no_grad 与 detach"),
    theory=T(
        """Recording a graph costs memory and time, and some computations must not be
recorded at all. Inside `with torch.no_grad():` nothing is recorded: results do not
require grad. That is how predictions are made and how parameters are updated by hand.

`t.detach()` returns a tensor with the same values, sharing t's memory, but cut off from
the graph: gradients never flow through it. Use it to keep a value (for logging, or as a
fixed target) without dragging the graph along.""",
        """记录计算图要花内存和时间，而且有些计算根本不应被记录。在 `with torch.no_grad():` 中不会记录任何运算，
结果也不需要梯度。做预测、手动更新参数时就是这样做的。

`t.detach()` 返回一个数值相同、与 t 共享内存、但脱离计算图的张量：梯度永远不会流经它。当你想保留一个值
（用于记录日志，或作为固定的目标）而不想带上计算图时，就用它。"""),
    task=T(
        """`predict(w, x)` returns x @ w computed without recording a graph;
`frozen(t)` returns t cut off from the graph, sharing its memory; `sgd_update_(w, lr)`
updates w in place to w - lr * w.grad without recording the update, and returns w.""",
        """`predict(w, x)` 在不记录计算图的情况下返回 x @ w；`frozen(t)` 返回脱离计算图、与 t 共享内存的张量；
`sgd_update_(w, lr)` 在不记录的情况下原地把 w 更新为 w - lr * w.grad，并返回 w。"""),
    hint=T("with torch.no_grad(): ...; t.detach(); inside no_grad, w -= lr * w.grad "
           "(or w.sub_(lr * w.grad)) keeps w a leaf.",
           "with torch.no_grad(): ...；t.detach()；在 no_grad 中，w -= lr * w.grad（或 w.sub_(lr * w.grad)）"
           "能让 w 保持为叶子。"),
    imports=("import torch",),
    starter='''


def predict(w, x):
    return ...  # TODO: x @ w, no graph


def frozen(t):
    return ...  # TODO


def sgd_update_(w, lr):
    raise NotImplementedError("TODO")
''',
    solution='''


def predict(w, x):
    with torch.no_grad():
        return x @ w


def frozen(t):
    return t.detach()


def sgd_update_(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    return w
''',
    checks=[_predict, _frozen, _update],
)


# ------------------------------------------------------------------ by hand vs autograd

def _data(t):
    x = t.tensor([1.0, 2.0, 3.0, -1.0])
    y = t.tensor([2.0, 3.5, 6.5, -2.5])
    return x, y


def _reference_grad(t, w, x, y):
    wt = t.tensor(w, requires_grad=True)
    ((wt * x - y) ** 2).mean().backward()
    return wt.grad.detach()


@check("grad_by_hand(w, x, y) matches the derivative of the loss", "grad_by_hand(w, x, y) 等于损失的导数")
def _by_hand(c):
    t = c.torch
    x, y = _data(t)
    for w in (0.5, 2.0):
        got = c.call("grad_by_hand", t.tensor(w), x, y)
        c.tensor(got, _reference_grad(t, w, x, y), what=f"grad_by_hand(w={w})", atol=1e-4)


@check("grad_by_autograd(w, x, y) gets the same number from backward",
       "grad_by_autograd(w, x, y) 用 backward 得到同样的数")
def _by_autograd(c):
    t = c.torch
    x, y = _data(t)
    for w in (0.5, -1.0):
        got = c.call("grad_by_autograd", w, x, y)
        c.tensor(got, _reference_grad(t, w, x, y), what=f"grad_by_autograd(w={w})", atol=1e-4)


MANUAL_GRAD = Exercise(
    name="manual_grad", chapter=2,
    title=T("A gradient by hand vs autograd", "手算梯度与自动微分"),
    theory=T(
        """Autograd computes exactly the derivative you would work out on paper. For the
loss L(w) = mean((w*x - y)**2) of a line through the origin, the chain rule gives
dL/dw = mean(2 * (w*x - y) * x).

Writing a gradient by hand once, and comparing it with autograd, is the best way to
trust both: the numbers must agree up to rounding. It is also how new operations are
tested: their backward is compared with a derivative computed another way.""",
        """自动微分算出的就是你在纸上推导出的导数。对于过原点直线的损失 L(w) = mean((w*x - y)**2)，
由链式法则得到 dL/dw = mean(2 * (w*x - y) * x)。

亲手推导一次梯度并与自动微分比较，是同时信任两者的最好方法：两个数在舍入误差内必须一致。新运算也是这样测试的：
把它的 backward 与用其他方法算出的导数进行比较。"""),
    task=T(
        """For L(w) = mean((w*x - y)**2): `grad_by_hand(w, x, y)` returns dL/dw from the
formula, with tensor operations and no backward (w is a 0-dim tensor);
`grad_by_autograd(w, x, y)` takes w as a Python float and returns dL/dw found by
backward, as a 0-dim tensor.""",
        """对于 L(w) = mean((w*x - y)**2)：`grad_by_hand(w, x, y)` 用公式和张量运算算出 dL/dw，不调用 backward
（w 是 0 维张量）；`grad_by_autograd(w, x, y)` 接收 Python 浮点数 w，用 backward 求出 dL/dw，以 0 维张量返回。"""),
    hint=T("By hand: (2 * (w * x - y) * x).mean(). Autograd: w = torch.tensor(w, "
           "requires_grad=True), loss.backward(), return w.grad.",
           "手算：(2 * (w * x - y) * x).mean()。自动微分：w = torch.tensor(w, requires_grad=True)，"
           "loss.backward()，返回 w.grad。"),
    imports=("import torch",),
    starter='''


def grad_by_hand(w, x, y):
    return ...  # TODO: the formula for dL/dw


def grad_by_autograd(w, x, y):
    w = torch.tensor(w, requires_grad=True)
    # TODO: the loss, then backward
    return ...
''',
    solution='''


def grad_by_hand(w, x, y):
    return (2 * (w * x - y) * x).mean()


def grad_by_autograd(w, x, y):
    w = torch.tensor(w, requires_grad=True)
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    return w.grad
''',
    checks=[_by_hand, _by_autograd],
)


EXERCISES = [BACKWARD, ACCUMULATION, NO_GRAD, MANUAL_GRAD]
