"""Chapter 1: tensors — creation, random numbers, dtypes, views, indexing, joining,
broadcasting, in-place operations and the NumPy bridge."""
from ..model import Exercise, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ 1 creation

@check("matrix() builds [[1, 2], [3, 4]] as float32", "matrix() 构造 float32 的 [[1, 2], [3, 4]]")
def _matrix(c):
    t = c.torch
    c.tensor(c.call("matrix"), t.tensor([[1.0, 2.0], [3.0, 4.0]]), what="matrix()")


@check("zeros_and_ones(rows, cols) gives two float32 tensors of that shape",
       "zeros_and_ones(rows, cols) 返回两个该形状的 float32 张量")
def _zeros_ones(c):
    t = c.torch
    for rows, cols in [(2, 3), (4, 1)]:
        got = c.call("zeros_and_ones", rows, cols)
        c.expect(isinstance(got, tuple) and len(got) == 2, "zeros_and_ones should return a pair",
                 "zeros_and_ones 应该返回两个张量", "(zeros, ones)", c.show(got))
        c.tensor(got[0], t.zeros(rows, cols), what=f"zeros_and_ones({rows}, {cols})[0]")
        c.tensor(got[1], t.ones(rows, cols), what=f"zeros_and_ones({rows}, {cols})[1]")


@check("filled(shape, value) fills a tensor with one value", "filled(shape, value) 用同一个值填满张量")
def _filled(c):
    t = c.torch
    c.tensor(c.call("filled", (2, 2), 7.0), t.full((2, 2), 7.0), what="filled((2, 2), 7.0)")
    c.tensor(c.call("filled", (3,), -1.5), t.full((3,), -1.5), what="filled((3,), -1.5)")


@check("evens(n) gives 0, 2, 4, ... as int64", "evens(n) 给出 int64 的 0, 2, 4, ...")
def _evens(c):
    t = c.torch
    for n in (5, 1):
        c.tensor(c.call("evens", n), t.arange(0, 2 * n, 2), what=f"evens({n})")


@check("points(start, end, steps) spaces steps points evenly, end included",
       "points(start, end, steps) 均匀取 steps 个点，包含终点")
def _points(c):
    t = c.torch
    c.tensor(c.call("points", 0.0, 1.0, 5), t.linspace(0.0, 1.0, 5), what="points(0, 1, 5)")
    c.tensor(c.call("points", -2.0, 2.0, 3), t.linspace(-2.0, 2.0, 3), what="points(-2, 2, 3)")


CREATION = Exercise(
    name="creation", chapter=1,
    title=T("Creating tensors", "创建张量"),
    theory=T(
        """A tensor is an n-dimensional array of numbers of one type: a scalar has 0
dimensions, a vector 1, a matrix 2. It is the one data structure everything else in
PyTorch is built on, much like NumPy's ndarray, plus autograd and devices.

`torch.tensor(data)` copies nested Python lists into a new tensor; the dtype follows the
data (Python floats give float32, ints give int64). `torch.zeros`, `torch.ones` and
`torch.full` build a tensor of a given shape with a constant value.

`torch.arange(start, end, step)` counts from start up to, but not including, end (like
`range`), while `torch.linspace(start, end, steps)` places `steps` points evenly between
start and end, both included.""",
        """张量（Tensor）是同一类型数字组成的 n 维数组：标量是 0 维，向量是 1 维，矩阵是 2 维。
PyTorch 的一切都建立在这个数据结构之上，它和 NumPy 的 ndarray 很像，但多了自动微分和设备支持。

`torch.tensor(data)` 把嵌套的 Python 列表复制成一个新张量，数据类型由数据决定（Python 浮点数得到
float32，整数得到 int64）。`torch.zeros`、`torch.ones` 和 `torch.full` 按给定形状创建常数张量。

`torch.arange(start, end, step)` 从 start 开始计数，到 end 为止但不包含 end（和 `range` 一样）；
`torch.linspace(start, end, steps)` 则在 start 和 end 之间均匀放置 steps 个点，两端都包含。"""),
    task=T(
        """Fill in the five functions: `matrix()` returns the float32 matrix [[1, 2], [3, 4]];
`zeros_and_ones(rows, cols)` returns a pair (a tensor of zeros, a tensor of ones) of that
shape; `filled(shape, value)` returns a tensor of that shape full of `value`; `evens(n)`
returns the first n even numbers 0, 2, 4, ... as int64; `points(start, end, steps)`
returns `steps` evenly spaced points from start to end, both ends included.""",
        """补全五个函数：`matrix()` 返回 float32 矩阵 [[1, 2], [3, 4]]；`zeros_and_ones(rows, cols)`
返回该形状的一对张量（全 0，全 1）；`filled(shape, value)` 返回该形状、值全为 value 的张量；
`evens(n)` 以 int64 返回前 n 个偶数 0, 2, 4, ...；`points(start, end, steps)` 返回从 start 到 end
均匀分布的 steps 个点，两端都包含。"""),
    hint=T("Write floats (1.0) in torch.tensor to get float32; arange's end is exclusive, so "
           "evens(n) ends at 2 * n; linspace includes both ends.",
           "在 torch.tensor 里写浮点数（1.0）就得到 float32；arange 不包含终点，所以 evens(n) 的终点是 "
           "2 * n；linspace 两端都包含。"),
    imports=("import torch",),
    starter='''


def matrix():
    return ...  # TODO: [[1, 2], [3, 4]] as float32


def zeros_and_ones(rows, cols):
    zeros = ...  # TODO
    ones = ...  # TODO
    return zeros, ones


def filled(shape, value):
    return ...  # TODO


def evens(n):
    return ...  # TODO: 0, 2, 4, ... (n numbers)


def points(start, end, steps):
    return ...  # TODO


if __name__ == "__main__":
    print(matrix())
    print(evens(5), points(0.0, 1.0, 5))
''',
    solution='''


def matrix():
    return torch.tensor([[1.0, 2.0], [3.0, 4.0]])


def zeros_and_ones(rows, cols):
    zeros = torch.zeros(rows, cols)
    ones = torch.ones(rows, cols)
    return zeros, ones


def filled(shape, value):
    return torch.full(shape, value)


def evens(n):
    return torch.arange(0, 2 * n, 2)


def points(start, end, steps):
    return torch.linspace(start, end, steps)


if __name__ == "__main__":
    print(matrix())
    print(evens(5), points(0.0, 1.0, 5))
''',
    checks=[_matrix, _zeros_ones, _filled, _evens, _points],
)


# ------------------------------------------------------------------ 2 random

@check("dice(seed, n) rolls n int64 numbers from 1 to 6", "dice(seed, n) 掷出 n 个 1 到 6 的 int64 数")
def _dice_range(c):
    t = c.torch
    got = c.call("dice", 0, 200)
    c.tensor(got, shape=(200,), dtype=t.int64, what="dice(0, 200)")
    lo, hi = int(got.min()), int(got.max())
    c.expect(lo == 1 and hi == 6, "dice should give every number from 1 to 6 and nothing else",
             "dice 应该给出 1 到 6 的数，且只有这些数", "min=1 max=6", f"min={lo} max={hi}")


@check("the same seed gives the same rolls, another seed other rolls",
       "相同的种子得到相同的结果，不同的种子得到不同的结果")
def _dice_seed(c):
    a, b, other = c.call("dice", 7, 50), c.call("dice", 7, 50), c.call("dice", 8, 50)
    c.expect(bool((a == b).all()), "dice(7, 50) twice gave different rolls: set the seed",
             "两次调用 dice(7, 50) 结果不同：需要设置随机种子", c.show(a), c.show(b))
    c.expect(not bool((a == other).all()), "dice(8, 50) gave the same rolls as dice(7, 50)",
             "dice(8, 50) 与 dice(7, 50) 结果相同", "different rolls", c.show(other))


@check("noise(seed, rows, cols) draws from the standard normal distribution",
       "noise(seed, rows, cols) 从标准正态分布中采样")
def _noise(c):
    t = c.torch
    got = c.call("noise", 1, 200, 100)
    c.tensor(got, shape=(200, 100), dtype=t.float32, what="noise(1, 200, 100)")
    mean, std = float(got.mean()), float(got.std())
    c.expect(abs(mean) < 0.05 and abs(std - 1) < 0.05,
             "noise should have mean 0 and standard deviation 1 (randn, not rand)",
             "noise 的均值应为 0、标准差应为 1（用 randn，不是 rand）",
             "mean≈0 std≈1", f"mean={mean:.3f} std={std:.3f}")
    c.expect(bool((got == c.call("noise", 1, 200, 100)).all()),
             "noise(1, ...) twice gave different numbers: set the seed",
             "两次调用 noise(1, ...) 结果不同：需要设置随机种子")


@check("uniform(seed, n) draws n numbers from [0, 1)", "uniform(seed, n) 从 [0, 1) 中采样 n 个数")
def _uniform(c):
    t = c.torch
    got = c.call("uniform", 3, 10000)
    c.tensor(got, shape=(10000,), dtype=t.float32, what="uniform(3, 10000)")
    lo, hi, mean = float(got.min()), float(got.max()), float(got.mean())
    c.expect(lo >= 0 and hi < 1 and abs(mean - 0.5) < 0.02,
             "uniform should lie in [0, 1) with mean 0.5 (rand)",
             "uniform 应该落在 [0, 1) 且均值为 0.5（rand）",
             "0 <= x < 1, mean≈0.5", f"min={lo:.3f} max={hi:.3f} mean={mean:.3f}")


RANDOM = Exercise(
    name="random", chapter=1,
    title=T("Random tensors and seeds", "随机张量与随机种子"),
    theory=T(
        """Models start from random weights and training shuffles data, so random tensors
are everywhere: `torch.rand` draws uniformly from [0, 1), `torch.randn` from the standard
normal distribution (mean 0, standard deviation 1), and `torch.randint(low, high, size)`
draws integers from low up to, but not including, high.

The numbers come from a generator whose state `torch.manual_seed(seed)` resets. After
the same seed the same calls give the same numbers: that is how experiments become
reproducible.""",
        """模型从随机权重开始，训练时还要打乱数据，所以随机张量随处可见：`torch.rand` 在 [0, 1) 上均匀采样，
`torch.randn` 从标准正态分布（均值 0，标准差 1）采样，`torch.randint(low, high, size)` 采样从 low
到 high（不含 high）的整数。

这些数来自一个随机数生成器，`torch.manual_seed(seed)` 会重置它的状态。设置相同的种子后，同样的调用会得到
同样的数，实验因此可以复现。"""),
    task=T(
        """Each function first sets the seed it is given. `dice(seed, n)` returns n dice rolls
(integers 1 to 6); `noise(seed, rows, cols)` returns a (rows, cols) tensor of standard
normal numbers; `uniform(seed, n)` returns n numbers drawn uniformly from [0, 1).""",
        """每个函数先设置传入的随机种子。`dice(seed, n)` 返回 n 次掷骰子的结果（1 到 6 的整数）；
`noise(seed, rows, cols)` 返回形状为 (rows, cols) 的标准正态随机数；`uniform(seed, n)` 返回 n 个
在 [0, 1) 上均匀分布的数。"""),
    hint=T("Call torch.manual_seed(seed) first; randint's high is exclusive, so dice needs "
           "torch.randint(1, 7, (n,)).",
           "先调用 torch.manual_seed(seed)；randint 不包含上界，所以掷骰子要用 torch.randint(1, 7, (n,))。"),
    imports=("import torch",),
    starter='''


def dice(seed, n):
    # TODO: set the seed, then roll n dice
    return ...


def noise(seed, rows, cols):
    return ...  # TODO


def uniform(seed, n):
    return ...  # TODO


if __name__ == "__main__":
    print(dice(0, 10))
''',
    solution='''


def dice(seed, n):
    torch.manual_seed(seed)
    return torch.randint(1, 7, (n,))


def noise(seed, rows, cols):
    torch.manual_seed(seed)
    return torch.randn(rows, cols)


def uniform(seed, n):
    torch.manual_seed(seed)
    return torch.rand(n)


if __name__ == "__main__":
    print(dice(0, 10))
''',
    checks=[_dice_range, _dice_seed, _noise, _uniform],
)


# ------------------------------------------------------------------ 3 dtypes

@check("to_float32(t) converts to float32", "to_float32(t) 转换为 float32")
def _to_float(c):
    t = c.torch
    src = t.tensor([1, 2, 3])
    c.tensor(c.call("to_float32", src), t.tensor([1.0, 2.0, 3.0]), what="to_float32([1, 2, 3])")


@check("to_int64(t) drops the fraction, toward zero", "to_int64(t) 去掉小数部分（向零取整）")
def _to_int(c):
    t = c.torch
    got = c.call("to_int64", t.tensor([1.7, -1.7, 2.0]))
    c.tensor(got, t.tensor([1, -1, 2]), what="to_int64([1.7, -1.7, 2.0])")


@check("halve(t) divides integers into float32 halves", "halve(t) 把整数除以 2 得到 float32")
def _halve(c):
    t = c.torch
    got = c.call("halve", t.tensor([1, 2, 3]))
    c.tensor(got, t.tensor([0.5, 1.0, 1.5]), what="halve([1, 2, 3])")


@check("is_positive(t) gives a bool tensor", "is_positive(t) 返回 bool 张量")
def _positive(c):
    t = c.torch
    got = c.call("is_positive", t.tensor([-1.0, 0.0, 2.5]))
    c.tensor(got, t.tensor([False, False, True]), what="is_positive([-1, 0, 2.5])")


DTYPES = Exercise(
    name="dtypes", chapter=1,
    title=T("Data types and conversion", "数据类型与转换"),
    theory=T(
        """Every tensor has one dtype: `torch.float32` (the default for real numbers and for
model weights), `torch.float64`, `torch.int64` (the default for integers, used for class
labels and indices), `torch.bool` (the result of comparisons) and more.

`t.to(torch.float32)`, `t.float()`, `t.long()` and `t.bool()` convert, returning a new
tensor. Converting floats to integers drops the fractional part, rounding toward zero.

Operations promote: an int tensor plus a float gives a float tensor, and `/` on integers
is true division with a floating result, while `//` stays integer.""",
        """每个张量只有一种数据类型（dtype）：`torch.float32`（实数和模型权重的默认类型）、`torch.float64`、
`torch.int64`（整数的默认类型，用于类别标签和下标）、`torch.bool`（比较运算的结果）等。

`t.to(torch.float32)`、`t.float()`、`t.long()` 和 `t.bool()` 进行转换并返回新张量。浮点数转整数时
会直接去掉小数部分，即向零取整。

运算会自动提升类型：整数张量加浮点数得到浮点张量；整数之间的 `/` 是真除法，结果为浮点数，而 `//` 仍是整数。"""),
    task=T(
        """`to_float32(t)` returns t as float32; `to_int64(t)` returns t as int64 (1.7 -> 1,
-1.7 -> -1); `halve(t)` takes an int64 tensor and returns its halves as float32
([1, 2, 3] -> [0.5, 1.0, 1.5]); `is_positive(t)` returns a bool tensor, True where t > 0.""",
        """`to_float32(t)` 把 t 转为 float32；`to_int64(t)` 把 t 转为 int64（1.7 -> 1，-1.7 -> -1）；
`halve(t)` 接收 int64 张量，返回其一半，类型为 float32（[1, 2, 3] -> [0.5, 1.0, 1.5]）；
`is_positive(t)` 返回 bool 张量，t > 0 处为 True。"""),
    hint=T("t.float(), t.long(), t / 2 (not t // 2) and t > 0 do it; check a dtype with "
           "print(x.dtype).",
           "t.float()、t.long()、t / 2（不是 t // 2）和 t > 0 就能完成；用 print(x.dtype) 查看类型。"),
    imports=("import torch",),
    starter='''


def to_float32(t):
    return ...  # TODO


def to_int64(t):
    return ...  # TODO


def halve(t):
    return ...  # TODO: [1, 2, 3] -> [0.5, 1.0, 1.5]


def is_positive(t):
    return ...  # TODO
''',
    solution='''


def to_float32(t):
    return t.to(torch.float32)


def to_int64(t):
    return t.long()


def halve(t):
    return t / 2


def is_positive(t):
    return t > 0
''',
    checks=[_to_float, _to_int, _halve, _positive],
)


# ------------------------------------------------------------------ 4 views

@check("as_grid(x, rows) reshapes a vector into rows rows", "as_grid(x, rows) 把向量变形为 rows 行")
def _grid_shape(c):
    t = c.torch
    x = t.arange(12.0)
    c.tensor(c.call("as_grid", x, 3), t.arange(12.0).reshape(3, 4), what="as_grid(arange(12), 3)")
    c.tensor(c.call("as_grid", x, 2), t.arange(12.0).reshape(2, 6), what="as_grid(arange(12), 2)")


@check("as_grid shares memory with x (a view, no copy)", "as_grid 与 x 共享内存（视图而不是拷贝）")
def _grid_view(c):
    t = c.torch
    x = t.arange(6.0)
    g = c.call("as_grid", x, 2)
    g[0, 0] = 100.0
    c.expect(float(x[0]) == 100.0, "writing into as_grid(x, 2) did not change x: it is a copy",
             "写入 as_grid(x, 2) 没有改变 x：它是一个拷贝",
             "x[0] == 100 after g[0, 0] = 100", f"x[0] == {float(x[0])}")


@check("flat_copy(m) is a flat copy that does not share memory",
       "flat_copy(m) 是不共享内存的一维拷贝")
def _flat_copy(c):
    t = c.torch
    m = t.arange(6.0).reshape(2, 3)
    got = c.call("flat_copy", m)
    c.tensor(got, t.arange(6.0), what="flat_copy(m)")
    got[0] = -1.0
    c.expect(float(m[0, 0]) == 0.0, "writing into flat_copy(m) changed m: it is a view",
             "写入 flat_copy(m) 改变了 m：它是视图而不是拷贝",
             "m unchanged", c.show(m))


@check("flat_transposed(m) flattens the transpose", "flat_transposed(m) 展平转置后的矩阵")
def _flat_t(c):
    t = c.torch
    m = t.arange(6.0).reshape(2, 3)
    c.tensor(c.call("flat_transposed", m), t.tensor([0.0, 3.0, 1.0, 4.0, 2.0, 5.0]),
             what="flat_transposed(m)")


VIEWS = Exercise(
    name="views", chapter=1,
    title=T("Shapes, views and shared memory", "形状、视图与共享内存"),
    theory=T(
        """`t.shape` (or `t.size()`) gives a tensor's dimensions. `t.view(2, 3)` and
`t.reshape(2, 3)` give the same numbers in a new shape; one size may be -1 and is then
worked out from the others.

A view shares memory with the tensor it came from: writing into one changes the other,
and no data is copied. `view`, `reshape` of a contiguous tensor, `t.t()`, `transpose`
and slicing all give views. `t.clone()` gives an independent copy.

A transpose is a view whose elements are no longer in row order (not contiguous).
`view` refuses such a tensor; `reshape` then quietly copies, and `contiguous()` makes
the copy explicit.""",
        """`t.shape`（或 `t.size()`）给出张量的各维大小。`t.view(2, 3)` 和 `t.reshape(2, 3)` 用新的形状
呈现同样的数据；其中一个维度可以写 -1，由其他维度推算出来。

视图（view）与原张量共享内存：写入其中一个，另一个也会改变，而且不复制任何数据。`view`、对连续张量的
`reshape`、`t.t()`、`transpose` 和切片得到的都是视图。`t.clone()` 得到独立的拷贝。

转置是一个视图，但它的元素不再按行顺序存放（不连续）。`view` 不接受这样的张量；`reshape` 这时会悄悄复制，
`contiguous()` 则显式地复制。"""),
    task=T(
        """`as_grid(x, rows)` returns the 1-D tensor x arranged in `rows` rows, as a view that
shares memory with x; `flat_copy(m)` returns m flattened to 1-D as a copy that does not
share memory; `flat_transposed(m)` returns the transpose of m flattened to 1-D
([[0, 1, 2], [3, 4, 5]] -> [0, 3, 1, 4, 2, 5]).""",
        """`as_grid(x, rows)` 把一维张量 x 排成 rows 行，返回与 x 共享内存的视图；`flat_copy(m)` 返回把 m
展平成一维的拷贝，不与 m 共享内存；`flat_transposed(m)` 返回 m 的转置展平后的结果
（[[0, 1, 2], [3, 4, 5]] -> [0, 3, 1, 4, 2, 5]）。"""),
    hint=T("x.view(rows, -1) is a view; add .clone() for a copy; m.t().view(-1) fails "
           "because a transpose is not contiguous, m.t().reshape(-1) works.",
           "x.view(rows, -1) 是视图；加上 .clone() 得到拷贝；m.t().view(-1) 会失败，因为转置不连续，"
           "m.t().reshape(-1) 可以。"),
    imports=("import torch",),
    starter='''


def as_grid(x, rows):
    return ...  # TODO: a view of x with `rows` rows


def flat_copy(m):
    return ...  # TODO: 1-D, not sharing memory with m


def flat_transposed(m):
    return ...  # TODO


if __name__ == "__main__":
    x = torch.arange(6.0)
    g = as_grid(x, 2)
    g[0, 0] = 100.0
    print(x)  # shows 100 when g is a view
''',
    solution='''


def as_grid(x, rows):
    return x.view(rows, -1)


def flat_copy(m):
    return m.reshape(-1).clone()


def flat_transposed(m):
    return m.t().reshape(-1)


if __name__ == "__main__":
    x = torch.arange(6.0)
    g = as_grid(x, 2)
    g[0, 0] = 100.0
    print(x)  # shows 100 when g is a view
''',
    checks=[_grid_shape, _grid_view, _flat_copy, _flat_t],
)


# ------------------------------------------------------------------ 5 indexing

def _sample_matrix(t):
    return t.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0], [7.0, -8.0, 9.0], [0.5, 0.0, -1.0]])


@check("corners(m) picks the four corners", "corners(m) 取出四个角")
def _corners(c):
    t = c.torch
    c.tensor(c.call("corners", _sample_matrix(t)), t.tensor([1.0, 3.0, 0.5, -1.0]),
             what="corners(m)")
    c.tensor(c.call("corners", t.arange(4.0).reshape(2, 2)), t.tensor([0.0, 1.0, 2.0, 3.0]),
             what="corners(2x2)")


@check("last_column(m) gives the last column", "last_column(m) 取出最后一列")
def _last_col(c):
    t = c.torch
    c.tensor(c.call("last_column", _sample_matrix(t)), t.tensor([3.0, -6.0, 9.0, -1.0]),
             what="last_column(m)")


@check("every_other_row(m) keeps rows 0, 2, 4, ...", "every_other_row(m) 保留第 0、2、4…… 行")
def _other_rows(c):
    t = c.torch
    m = _sample_matrix(t)
    c.tensor(c.call("every_other_row", m), m[::2].clone(), what="every_other_row(m)")


@check("positives(m) lists the values > 0", "positives(m) 列出所有大于 0 的值")
def _positives(c):
    t = c.torch
    c.tensor(c.call("positives", _sample_matrix(t)), t.tensor([1.0, 3.0, 5.0, 7.0, 9.0, 0.5]),
             what="positives(m)")


INDEXING = Exercise(
    name="indexing", chapter=1,
    title=T("Indexing and slicing", "索引与切片"),
    theory=T(
        """Tensors are indexed like NumPy arrays: `m[1, 2]` is one element, `m[0]` the first
row, `m[:, -1]` the last column, and `m[::2]` every other row (start:stop:step per
dimension). Negative indices count from the end.

Indexing with a bool tensor of the same shape, `m[m > 0]`, selects the elements where the
mask is True and returns them as a 1-D copy. A list or tensor of indices picks those
positions, `m[[0, 2]]` or `x[torch.tensor([3, 1])]`.""",
        """张量的索引方式和 NumPy 数组一样：`m[1, 2]` 是一个元素，`m[0]` 是第一行，`m[:, -1]` 是最后一列，
`m[::2]` 是隔行取（每一维写 start:stop:step）。负数下标从末尾开始数。

用同形状的 bool 张量索引，例如 `m[m > 0]`，会选出掩码为 True 的元素，并以一维拷贝返回。用下标列表或下标张量
可以取出指定位置，例如 `m[[0, 2]]` 或 `x[torch.tensor([3, 1])]`。"""),
    task=T(
        """`corners(m)` returns a 1-D tensor of the four corners of a matrix in the order
top-left, top-right, bottom-left, bottom-right; `last_column(m)` returns the last column
as a 1-D tensor; `every_other_row(m)` returns rows 0, 2, 4, ...; `positives(m)` returns
the elements greater than 0, in row order, as a 1-D tensor.""",
        """`corners(m)` 按左上、右上、左下、右下的顺序返回矩阵四个角组成的一维张量；`last_column(m)` 以一维张量
返回最后一列；`every_other_row(m)` 返回第 0、2、4…… 行；`positives(m)` 按行顺序以一维张量返回所有大于 0
的元素。"""),
    hint=T("m[0, -1] is the top-right corner; torch.stack or torch.tensor can join four "
           "values; m[:, -1], m[::2] and m[m > 0] do the rest.",
           "m[0, -1] 是右上角；torch.stack 或 torch.tensor 可以把四个值组合起来；m[:, -1]、m[::2] 和 "
           "m[m > 0] 可以完成其余部分。"),
    imports=("import torch",),
    starter='''


def corners(m):
    return ...  # TODO: [top-left, top-right, bottom-left, bottom-right]


def last_column(m):
    return ...  # TODO


def every_other_row(m):
    return ...  # TODO


def positives(m):
    return ...  # TODO
''',
    solution='''


def corners(m):
    return torch.stack([m[0, 0], m[0, -1], m[-1, 0], m[-1, -1]])


def last_column(m):
    return m[:, -1]


def every_other_row(m):
    return m[::2]


def positives(m):
    return m[m > 0]
''',
    checks=[_corners, _last_col, _other_rows, _positives],
)


# ------------------------------------------------------------------ 6 cat / stack

@check("join_rows(a, b) puts b's rows under a's", "join_rows(a, b) 把 b 的行接在 a 的下面")
def _join_rows(c):
    t = c.torch
    a, b = t.ones(2, 3), t.zeros(1, 3)
    c.tensor(c.call("join_rows", a, b), t.cat([a, b], dim=0), what="join_rows(2x3, 1x3)")


@check("join_columns(a, b) puts b's columns right of a's", "join_columns(a, b) 把 b 的列接在 a 的右边")
def _join_cols(c):
    t = c.torch
    a, b = t.ones(2, 3), t.arange(4.0).reshape(2, 2)
    c.tensor(c.call("join_columns", a, b), t.cat([a, b], dim=1), what="join_columns(2x3, 2x2)")


@check("pairs(a, b) stacks two vectors into (n, 2) pairs", "pairs(a, b) 把两个向量堆叠成 (n, 2) 的数对")
def _pairs(c):
    t = c.torch
    a, b = t.tensor([1.0, 2.0, 3.0]), t.tensor([10.0, 20.0, 30.0])
    c.tensor(c.call("pairs", a, b), t.stack([a, b], dim=1), what="pairs(a, b)")


CAT_STACK = Exercise(
    name="cat_stack", chapter=1,
    title=T("Joining tensors: cat and stack", "拼接张量：cat 与 stack"),
    theory=T(
        """`torch.cat(tensors, dim)` joins tensors along an existing dimension: their sizes
must agree in every other dimension, and the result is as long as all of them together
along `dim`.

`torch.stack(tensors, dim)` first adds a new dimension at `dim` and then joins along it:
all tensors must have the same shape. Stacking three (2,) vectors gives (3, 2) with
dim=0 and (2, 3) with dim=1.""",
        """`torch.cat(tensors, dim)` 沿已有的维度拼接张量：除 dim 以外的各维大小必须一致，结果在 dim 上的长度
是各张量之和。

`torch.stack(tensors, dim)` 先在 dim 处新增一个维度，再沿它拼接：所有张量的形状必须相同。把三个形状为
(2,) 的向量堆叠起来，dim=0 得到 (3, 2)，dim=1 得到 (2, 3)。"""),
    task=T(
        """`join_rows(a, b)` returns a's rows followed by b's rows; `join_columns(a, b)`
returns a matrix with a's columns followed by b's; `pairs(a, b)` takes two vectors of
length n and returns an (n, 2) tensor whose row i is (a[i], b[i]).""",
        """`join_rows(a, b)` 返回 a 的行后面接着 b 的行；`join_columns(a, b)` 返回 a 的列后面接着 b 的列的矩阵；
`pairs(a, b)` 接收两个长度为 n 的向量，返回形状为 (n, 2) 的张量，第 i 行是 (a[i], b[i])。"""),
    hint=T("torch.cat([a, b], dim=0) and dim=1; torch.stack([a, b], dim=1) makes the pairs.",
           "torch.cat([a, b], dim=0) 和 dim=1；torch.stack([a, b], dim=1) 可以组成数对。"),
    imports=("import torch",),
    starter='''


def join_rows(a, b):
    return ...  # TODO


def join_columns(a, b):
    return ...  # TODO


def pairs(a, b):
    return ...  # TODO: shape (n, 2)
''',
    solution='''


def join_rows(a, b):
    return torch.cat([a, b], dim=0)


def join_columns(a, b):
    return torch.cat([a, b], dim=1)


def pairs(a, b):
    return torch.stack([a, b], dim=1)
''',
    checks=[_join_rows, _join_cols, _pairs],
)


# ------------------------------------------------------------------ 7 broadcasting

@check("center_columns(m) subtracts each column's mean", "center_columns(m) 减去每一列的均值")
def _center(c):
    t = c.torch
    m = t.tensor([[1.0, 10.0, 0.0], [3.0, 20.0, 6.0]])
    c.tensor(c.call("center_columns", m), t.tensor([[-1.0, -5.0, -3.0], [1.0, 5.0, 3.0]]),
             what="center_columns(m)")


@check("scale_rows(m, f) multiplies row i by f[i]", "scale_rows(m, f) 把第 i 行乘以 f[i]")
def _scale_rows(c):
    t = c.torch
    m = t.ones(3, 3)
    f = t.tensor([1.0, 2.0, 3.0])
    c.tensor(c.call("scale_rows", m, f), t.tensor([[1.0] * 3, [2.0] * 3, [3.0] * 3]),
             what="scale_rows(ones(3, 3), [1, 2, 3])")
    c.tensor(c.call("scale_rows", t.ones(2, 4), t.tensor([2.0, -1.0])),
             t.tensor([[2.0] * 4, [-1.0] * 4]), what="scale_rows(ones(2, 4), [2, -1])")


@check("distances(a, b) is the table |a[i] - b[j]|", "distances(a, b) 是 |a[i] - b[j]| 的表格")
def _distances(c):
    t = c.torch
    a, b = t.tensor([0.0, 1.0, 5.0]), t.tensor([1.0, 3.0])
    c.tensor(c.call("distances", a, b), t.tensor([[1.0, 3.0], [0.0, 2.0], [4.0, 2.0]]),
             what="distances([0, 1, 5], [1, 3])")


BROADCASTING = Exercise(
    name="broadcasting", chapter=1,
    title=T("Broadcasting", "广播机制"),
    theory=T(
        """Element-wise operations between tensors of different shapes broadcast: the shapes
are lined up from the right, and a dimension of size 1 (or a missing one) is stretched to
match the other tensor, without copying data. A (3, 4) matrix plus a (4,) vector adds
the vector to every row.

To act on rows instead of columns, give the vector a dimension of size 1 where it should
stretch: `v[:, None]` or `v.unsqueeze(1)` turns a (3,) vector into (3, 1). Reductions
keep a dimension with `keepdim=True` for the same reason. An (n, 1) tensor and a (1, m)
tensor broadcast to an (n, m) table.""",
        """形状不同的张量做逐元素运算时会广播：形状从右往左对齐，大小为 1（或缺失）的维度会被拉伸成另一个张量的大小，
而不复制数据。形状 (3, 4) 的矩阵加上形状 (4,) 的向量，会把向量加到每一行。

如果要按行而不是按列操作，就给向量在需要拉伸的位置加一个大小为 1 的维度：`v[:, None]` 或 `v.unsqueeze(1)`
把 (3,) 变成 (3, 1)。出于同样的原因，归约运算可以用 `keepdim=True` 保留维度。(n, 1) 和 (1, m) 的张量会广播成
(n, m) 的表格。"""),
    task=T(
        """`center_columns(m)` subtracts from every column its mean; `scale_rows(m, f)`
multiplies row i of m by f[i]; `distances(a, b)` takes vectors of lengths n and k and
returns the (n, k) table whose entry (i, j) is |a[i] - b[j]|. No Python loops.""",
        """`center_columns(m)` 让每一列减去该列的均值；`scale_rows(m, f)` 把 m 的第 i 行乘以 f[i]；
`distances(a, b)` 接收长度为 n 和 k 的两个向量，返回 (n, k) 的表格，其中 (i, j) 处是 |a[i] - b[j]|。
不要用 Python 循环。"""),
    hint=T("m.mean(dim=0) is the row of column means; f[:, None] is a column; "
           "(a[:, None] - b[None, :]).abs() is the table.",
           "m.mean(dim=0) 是各列均值组成的一行；f[:, None] 是一列；(a[:, None] - b[None, :]).abs() "
           "就是那张表。"),
    imports=("import torch",),
    starter='''


def center_columns(m):
    return ...  # TODO


def scale_rows(m, f):
    return ...  # TODO


def distances(a, b):
    return ...  # TODO: shape (len(a), len(b))
''',
    solution='''


def center_columns(m):
    return m - m.mean(dim=0, keepdim=True)


def scale_rows(m, f):
    return m * f.unsqueeze(1)


def distances(a, b):
    return (a[:, None] - b[None, :]).abs()
''',
    checks=[_center, _scale_rows, _distances],
)


# ------------------------------------------------------------------ 8 in-place

@check("clip_negatives_(t) zeroes negatives in place and returns t",
       "clip_negatives_(t) 原地把负数置 0 并返回 t")
def _clip(c):
    t = c.torch
    x = t.tensor([-1.0, 2.0, -3.0, 4.0])
    got = c.call("clip_negatives_", x)
    c.tensor(x, t.tensor([0.0, 2.0, 0.0, 4.0]), what="t after clip_negatives_(t)")
    c.expect(got is x, "clip_negatives_ should return the very tensor it changed",
             "clip_negatives_ 应该返回被修改的那个张量本身", "t itself", c.show(got))


@check("scale_(t, k) multiplies t by k in place and returns t", "scale_(t, k) 原地把 t 乘以 k 并返回 t")
def _scale(c):
    t = c.torch
    x = t.tensor([1.0, 2.0])
    got = c.call("scale_", x, 3.0)
    c.tensor(x, t.tensor([3.0, 6.0]), what="t after scale_(t, 3)")
    c.expect(got is x, "scale_ should return the very tensor it changed",
             "scale_ 应该返回被修改的那个张量本身", "t itself", c.show(got))


@check("doubled(t) returns 2 * t and leaves t alone", "doubled(t) 返回 2 * t，且不改变 t")
def _doubled(c):
    t = c.torch
    x = t.tensor([1.0, -2.0])
    got = c.call("doubled", x)
    c.tensor(got, t.tensor([2.0, -4.0]), what="doubled([1, -2])")
    c.tensor(x, t.tensor([1.0, -2.0]), what="t after doubled(t)")


INPLACE = Exercise(
    name="inplace", chapter=1,
    title=T("In-place operations", "原地操作"),
    theory=T(
        """Most operations return a new tensor. Their in-place twins end in an underscore:
`t.add_(1)`, `t.mul_(2)`, `t.clamp_(min=0)`, `t.zero_()`. They overwrite t's memory and
return t itself, which saves memory but changes every view of t too.

Assigning through an index, `t[t < 0] = 0`, is in-place as well. An in-place operation on
a tensor that autograd still needs raises an error, so in models they are used with care.""",
        """大多数运算返回新的张量。它们的原地版本以下划线结尾：`t.add_(1)`、`t.mul_(2)`、`t.clamp_(min=0)`、
`t.zero_()`。原地操作直接覆盖 t 的内存并返回 t 本身，能节省内存，但 t 的所有视图也会随之改变。

通过索引赋值，例如 `t[t < 0] = 0`，也是原地操作。如果自动微分还需要某个张量，对它做原地操作会报错，
所以在模型中要谨慎使用。"""),
    task=T(
        """`clip_negatives_(t)` sets the negative entries of t to 0 in place and returns t;
`scale_(t, k)` multiplies t by k in place and returns t; `doubled(t)` returns a new
tensor 2 * t and leaves t unchanged.""",
        """`clip_negatives_(t)` 原地把 t 中的负数置为 0 并返回 t；`scale_(t, k)` 原地把 t 乘以 k 并返回 t；
`doubled(t)` 返回新的张量 2 * t，并且不改变 t。"""),
    hint=T("t.clamp_(min=0) and t.mul_(k) return t; doubled needs an operation without "
           "the underscore.",
           "t.clamp_(min=0) 和 t.mul_(k) 会返回 t；doubled 需要不带下划线的运算。"),
    imports=("import torch",),
    starter='''


def clip_negatives_(t):
    ...  # TODO: change t itself
    return ...


def scale_(t, k):
    return ...  # TODO


def doubled(t):
    return ...  # TODO: leave t unchanged
''',
    solution='''


def clip_negatives_(t):
    t[t < 0] = 0
    return t


def scale_(t, k):
    return t.mul_(k)


def doubled(t):
    return t * 2
''',
    checks=[_clip, _scale, _doubled],
)


# ------------------------------------------------------------------ 9 numpy bridge

@check("to_numpy(t) gives an ndarray sharing t's memory", "to_numpy(t) 返回与 t 共享内存的 ndarray")
def _to_numpy(c):
    import numpy as np
    t = c.torch
    x = t.tensor([1.0, 2.0, 3.0])
    got = c.call("to_numpy", x)
    c.expect(isinstance(got, np.ndarray), "to_numpy should return a numpy.ndarray",
             "to_numpy 应该返回 numpy.ndarray", "numpy.ndarray", type(got).__name__)
    got[0] = 50.0
    c.expect(float(x[0]) == 50.0, "writing into to_numpy(t) did not change t: it is a copy",
             "写入 to_numpy(t) 没有改变 t：它是一个拷贝", "t[0] == 50", c.show(x))


@check("wrap(a) gives a tensor sharing the array's memory", "wrap(a) 返回与数组共享内存的张量")
def _wrap(c):
    import numpy as np
    t = c.torch
    a = np.array([1.0, 2.0])
    got = c.call("wrap", a)
    c.tensor(got, t.tensor([1.0, 2.0], dtype=t.float64), what="wrap(array([1., 2.]))")
    a[1] = 7.0
    c.expect(float(got[1]) == 7.0, "changing the array did not change wrap(a): it is a copy",
             "修改数组没有改变 wrap(a)：它是一个拷贝", "tensor[1] == 7", c.show(got))


@check("as_float32(a) gives an independent float32 tensor", "as_float32(a) 返回独立的 float32 张量")
def _as_f32(c):
    import numpy as np
    t = c.torch
    a = np.array([1.5, 2.5])
    got = c.call("as_float32", a)
    c.tensor(got, t.tensor([1.5, 2.5]), what="as_float32(array([1.5, 2.5]))")
    a[0] = 0.0
    c.expect(float(got[0]) == 1.5, "changing the array changed as_float32(a)",
             "修改数组改变了 as_float32(a)", "1.5", c.show(got))


NUMPY_BRIDGE = Exercise(
    name="numpy_bridge", chapter=1,
    title=T("The NumPy bridge", "与 NumPy 互通"),
    theory=T(
        """`t.numpy()` returns a NumPy array that shares memory with a CPU tensor, and
`torch.from_numpy(a)` returns a tensor that shares memory with an array: a change on
one side shows on the other, and nothing is copied. The dtype is kept, so an array of
NumPy's default float64 becomes a float64 tensor.

`torch.tensor(a)` always copies. A dtype conversion such as `.float()` copies too when
the dtype changes, which is what a float32 model usually needs.""",
        """`t.numpy()` 返回与 CPU 张量共享内存的 NumPy 数组，`torch.from_numpy(a)` 返回与数组共享内存的张量：
一边的修改会在另一边出现，且不复制数据。数据类型保持不变，所以 NumPy 默认的 float64 数组会变成 float64 张量。

`torch.tensor(a)` 总是会复制。像 `.float()` 这样的类型转换在类型改变时也会复制，这通常正是 float32 模型
所需要的。"""),
    task=T(
        """`to_numpy(t)` returns t as a NumPy array that shares its memory; `wrap(a)` returns
the NumPy array a as a tensor that shares its memory; `as_float32(a)` returns a float32
tensor with a's values that does not share memory with a.""",
        """`to_numpy(t)` 返回与 t 共享内存的 NumPy 数组；`wrap(a)` 把 NumPy 数组 a 包装成与之共享内存的张量；
`as_float32(a)` 返回值与 a 相同、不与 a 共享内存的 float32 张量。"""),
    hint=T("t.numpy(), torch.from_numpy(a), and torch.tensor(a, dtype=torch.float32).",
           "t.numpy()、torch.from_numpy(a) 和 torch.tensor(a, dtype=torch.float32)。"),
    imports=("import numpy as np", "import torch"),
    starter='''


def to_numpy(t):
    return ...  # TODO: shares memory with t


def wrap(a):
    return ...  # TODO: shares memory with a


def as_float32(a):
    return ...  # TODO: an independent float32 copy
''',
    solution='''


def to_numpy(t):
    return t.numpy()


def wrap(a):
    return torch.from_numpy(a)


def as_float32(a):
    return torch.tensor(a, dtype=torch.float32)
''',
    checks=[_to_numpy, _wrap, _as_f32],
)


EXERCISES = [CREATION, RANDOM, DTYPES, VIEWS, INDEXING, CAT_STACK, BROADCASTING, INPLACE,
             NUMPY_BRIDGE]
