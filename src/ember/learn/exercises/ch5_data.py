"""Chapter 5: data — a custom Dataset, DataLoader batching and shuffling, transforms."""
from ..model import Exercise, check


def T(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------ dataset

def _squares(c, n):
    with c.running("Squares(n)"):
        return c.get("Squares")(n)


def _item(c, ds, i):
    with c.running("Squares.__getitem__"):
        item = ds[i]
    if item is Ellipsis or (isinstance(item, tuple) and Ellipsis in item):
        from ..model import NotDone
        raise NotDone("`Squares.__getitem__`")
    return item


@check("Squares(n) is a Dataset of length n", "Squares(n) 是长度为 n 的 Dataset")
def _ds_len(c):
    ds = _squares(c, 7)
    c.expect(isinstance(ds, c.torch.utils.data.Dataset), "Squares should subclass Dataset",
             "Squares 应该继承 Dataset", "a Dataset", type(ds).__name__)
    with c.running("len(Squares(7))"):
        n = len(ds)
    c.expect(n == 7, "len(Squares(7)) should be 7", "len(Squares(7)) 应该是 7", 7, n)


@check("Squares(n)[i] is (tensor([i]), tensor([i*i])) in float32",
       "Squares(n)[i] 是 float32 的 (tensor([i]), tensor([i*i]))")
def _ds_item(c):
    t = c.torch
    ds = _squares(c, 7)
    for i in (0, 3, 6):
        item = _item(c, ds, i)
        c.expect(isinstance(item, tuple) and len(item) == 2, "an item should be a pair (x, y)",
                 "每个样本应该是一对 (x, y)", "(x, y)", c.show(item))
        c.tensor(item[0], t.tensor([float(i)]), what=f"Squares(7)[{i}][0]")
        c.tensor(item[1], t.tensor([float(i * i)]), what=f"Squares(7)[{i}][1]")


@check("a DataLoader batches it into (4, 1) tensors", "DataLoader 把它分成 (4, 1) 的批次")
def _ds_loader(c):
    t = c.torch
    ds = _squares(c, 10)
    _item(c, ds, 0)
    loader = t.utils.data.DataLoader(ds, batch_size=4)
    with c.running("DataLoader(Squares(10))"):
        batches = list(loader)
    c.expect(len(batches) == 3, "10 items in batches of 4 make 3 batches",
             "10 个样本按每批 4 个分成 3 批", 3, len(batches))
    x, y = batches[0]
    c.tensor(x, t.tensor([[0.0], [1.0], [2.0], [3.0]]), what="the first batch's x")
    c.tensor(y, t.tensor([[0.0], [1.0], [4.0], [9.0]]), what="the first batch's y")


DATASET = Exercise(
    name="dataset", chapter=5,
    title=T("A custom Dataset", "自定义 Dataset"),
    theory=T(
        """`torch.utils.data.Dataset` is the interface between your data and the training
loop: a subclass implements `__len__` (how many samples) and `__getitem__(i)` (sample i,
usually a pair (features, label) of tensors).

The data may live in memory, in files read on demand, or be computed on the fly; the
rest of the pipeline only ever asks for `len(ds)` and `ds[i]`. A `DataLoader` built on a
dataset collects samples into batches by stacking them along a new first dimension.""",
        """`torch.utils.data.Dataset` 是数据与训练循环之间的接口：子类实现 `__len__`（有多少个样本）和
`__getitem__(i)`（第 i 个样本，通常是一对张量 (特征, 标签)）。

数据可以在内存里，可以在按需读取的文件里，也可以现场计算；流程的其余部分只会询问 `len(ds)` 和 `ds[i]`。
基于数据集构建的 `DataLoader` 会把样本沿新的第一维堆叠成批次。"""),
    task=T(
        """Complete the Dataset `Squares(n)`: it has n samples, and sample i is the pair
(tensor([i]), tensor([i * i])), both float32 of shape (1,).""",
        """补全数据集 `Squares(n)`：它有 n 个样本，第 i 个样本是 (tensor([i]), tensor([i * i]))，两者都是形状为
(1,) 的 float32 张量。"""),
    hint=T("Keep n in __init__; __len__ returns it; __getitem__ returns "
           "(torch.tensor([float(i)]), torch.tensor([float(i * i)])).",
           "在 __init__ 中保存 n；__len__ 返回它；__getitem__ 返回 "
           "(torch.tensor([float(i)]), torch.tensor([float(i * i)]))。"),
    imports=("import torch", "from torch.utils.data import DataLoader, Dataset"),
    starter='''


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        raise NotImplementedError("TODO")

    def __getitem__(self, i):
        raise NotImplementedError("TODO")


if __name__ == "__main__":
    for x, y in DataLoader(Squares(10), batch_size=4):
        print(x.shape, y.shape)
''',
    solution='''


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([float(i)]), torch.tensor([float(i * i)])


if __name__ == "__main__":
    for x, y in DataLoader(Squares(10), batch_size=4):
        print(x.shape, y.shape)
''',
    checks=[_ds_len, _ds_item, _ds_loader],
)


# ------------------------------------------------------------------ dataloader

def _numbers(t, n=20):
    return t.utils.data.TensorDataset(t.arange(float(n)).unsqueeze(1), t.arange(n))


def _order(c, loader, what):
    labels = []
    with c.running(what):
        for batch in loader:
            c.expect(isinstance(batch, (list, tuple)) and len(batch) == 2,
                     "each batch should be a pair (x, y)", "每个批次应该是一对 (x, y)",
                     "[x, y]", c.show(batch))
            labels += batch[1].tolist()
    return labels


@check("train_loader(ds, 6, seed) shuffles every sample into batches of 6",
       "train_loader(ds, 6, seed) 打乱所有样本并分成每批 6 个")
def _train_loader(c):
    t = c.torch
    loader = c.call("train_loader", _numbers(t), 6, 0)
    sizes = []
    with c.running("train_loader"):
        for x, y in loader:
            sizes.append(len(y))
    c.expect(sizes == [6, 6, 6, 2], "20 samples in batches of 6 give batches of 6, 6, 6, 2",
             "20 个样本按每批 6 个分成 6、6、6、2", [6, 6, 6, 2], sizes)
    order = _order(c, loader, "train_loader")
    c.expect(sorted(order) == list(range(20)), "every sample should come exactly once per epoch",
             "每个 epoch 中每个样本应恰好出现一次", "0..19 once each", order)
    c.expect(order != list(range(20)), "the samples came in order: shuffle them",
             "样本是按顺序出来的：需要打乱", "a shuffled order", order)


@check("the same seed gives the same order, another seed another",
       "相同的种子得到相同的顺序，不同的种子得到不同的顺序")
def _seeded(c):
    t = c.torch
    a = _order(c, c.call("train_loader", _numbers(t), 5, 11), "train_loader")
    b = _order(c, c.call("train_loader", _numbers(t), 5, 11), "train_loader")
    other = _order(c, c.call("train_loader", _numbers(t), 5, 12), "train_loader")
    c.expect(a == b, "two loaders with seed 11 gave different orders: use a seeded generator",
             "两个种子为 11 的加载器顺序不同：请使用设置了种子的 generator", a, b)
    c.expect(a != other, "seeds 11 and 12 gave the same order", "种子 11 和 12 的顺序相同",
             "different orders", other)


@check("eval_loader(ds, 8) keeps the order and every batch", "eval_loader(ds, 8) 保持顺序并保留所有批次")
def _eval_loader(c):
    t = c.torch
    order = _order(c, c.call("eval_loader", _numbers(t), 8), "eval_loader")
    c.expect(order == list(range(20)), "eval_loader should give the samples in order",
             "eval_loader 应该按顺序给出样本", list(range(20)), order)


DATALOADER = Exercise(
    name="dataloader", chapter=5,
    title=T("DataLoader: batches and shuffling", "DataLoader：批次与打乱"),
    theory=T(
        """`DataLoader(dataset, batch_size=32, shuffle=True)` turns a dataset into an iterable
of batches. With `shuffle=True` every epoch visits the samples in a new random order,
which keeps the model from learning the order of the data; the last batch is smaller
unless `drop_last=True`.

The order comes from a random generator: pass `generator=torch.Generator().manual_seed(
seed)` to make it reproducible. Evaluation needs no shuffling: there the order should
stay as it is.""",
        """`DataLoader(dataset, batch_size=32, shuffle=True)` 把数据集变成一个可迭代的批次序列。设置
`shuffle=True` 后，每个 epoch 都会以新的随机顺序遍历样本，避免模型学到数据的顺序；除非设置
`drop_last=True`，最后一个批次会小一些。

顺序来自一个随机数生成器：传入 `generator=torch.Generator().manual_seed(seed)` 就能复现。评估时不需要打乱，
顺序应保持原样。"""),
    task=T(
        """`train_loader(dataset, batch_size, seed)` returns a DataLoader that shuffles, in an
order that depends only on the seed; `eval_loader(dataset, batch_size)` returns a
DataLoader that keeps the dataset's order.""",
        """`train_loader(dataset, batch_size, seed)` 返回会打乱数据的 DataLoader，顺序只取决于种子；
`eval_loader(dataset, batch_size)` 返回保持数据集原有顺序的 DataLoader。"""),
    hint=T("DataLoader(dataset, batch_size=batch_size, shuffle=True, "
           "generator=torch.Generator().manual_seed(seed)).",
           "DataLoader(dataset, batch_size=batch_size, shuffle=True, "
           "generator=torch.Generator().manual_seed(seed))。"),
    imports=("import torch", "from torch.utils.data import DataLoader, TensorDataset"),
    starter='''


def train_loader(dataset, batch_size, seed):
    return ...  # TODO: shuffled, reproducible from the seed


def eval_loader(dataset, batch_size):
    return ...  # TODO
''',
    solution='''


def train_loader(dataset, batch_size, seed):
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


def eval_loader(dataset, batch_size):
    return DataLoader(dataset, batch_size=batch_size, shuffle=False)
''',
    checks=[_train_loader, _seeded, _eval_loader],
)


# ------------------------------------------------------------------ transforms

@check("compose(f, g) applies f first, then g", "compose(f, g) 先应用 f，再应用 g")
def _compose(c):
    pipeline = c.call("compose", lambda v: v + 1, lambda v: v * 10)
    with c.running("compose(...)(x)"):
        got = pipeline(2)
    c.expect(got == 30, "compose(add 1, times 10)(2) should be (2 + 1) * 10 = 30",
             "compose(加 1, 乘 10)(2) 应该是 (2 + 1) * 10 = 30", 30, got)
    with c.running("compose()(x)"):
        same = c.call("compose")(5)
    c.expect(same == 5, "compose() with no functions should return its input",
             "不带函数的 compose() 应该原样返回输入", 5, same)


@check("normalize(mean, std) gives x -> (x - mean) / std", "normalize(mean, std) 给出 x -> (x - mean) / std")
def _normalize(c):
    t = c.torch
    fn = c.call("normalize", 2.0, 4.0)
    with c.running("normalize(2, 4)(x)"):
        got = fn(t.tensor([2.0, 6.0, 0.0]))
    c.tensor(got, t.tensor([0.0, 1.0, -0.5]), what="normalize(2, 4)([2, 6, 0])")


@check("Transformed(base, transform) applies the transform to x only",
       "Transformed(base, transform) 只对 x 应用变换")
def _transformed(c):
    t = c.torch
    base = t.utils.data.TensorDataset(t.tensor([[1.0], [2.0], [3.0]]), t.tensor([0, 1, 0]))
    with c.running("Transformed(...)"):
        ds = c.get("Transformed")(base, lambda x: x * 100)
        n = len(ds)
        item = ds[1]
    if item is Ellipsis or (isinstance(item, tuple) and Ellipsis in item):
        from ..model import NotDone
        raise NotDone("`Transformed.__getitem__`")
    c.expect(n == 3, "Transformed should have the base dataset's length",
             "Transformed 的长度应该与原数据集相同", 3, n)
    c.expect(isinstance(item, tuple) and len(item) == 2, "an item should be a pair (x, y)",
             "每个样本应该是一对 (x, y)", "(x, y)", c.show(item))
    c.tensor(item[0], t.tensor([200.0]), what="Transformed(...)[1][0]")
    c.tensor(item[1], t.tensor(1), what="Transformed(...)[1][1]")


TRANSFORMS = Exercise(
    name="transforms", chapter=5,
    title=T("Transforms", "数据变换"),
    theory=T(
        """Raw samples rarely go into a model as they are: images are converted to tensors
and normalised, features are scaled, text is tokenised. A transform is just a function
from a sample to a sample, and a dataset applies it in `__getitem__`, so the data on disk
stays untouched.

`torchvision.transforms.Compose([...])` chains several transforms and `Normalize(mean,
std)` computes (x - mean) / std; both are small callables that you can write yourself,
which is what this exercise does.""",
        """原始样本很少能直接送进模型：图像要转成张量并归一化，特征要缩放，文本要分词。变换就是一个把样本映射为样本的
函数，数据集在 `__getitem__` 中应用它，磁盘上的数据保持不变。

`torchvision.transforms.Compose([...])` 把几个变换串起来，`Normalize(mean, std)` 计算 (x - mean) / std；
它们都是你自己也能写出的小型可调用对象，本练习就来写一写。"""),
    task=T(
        """`compose(*fns)` returns a function that applies fns in order (the first one
first); `normalize(mean, std)` returns the function x -> (x - mean) / std; the Dataset
`Transformed(base, transform)` has the samples of `base`, with `transform` applied to the
x of each (x, y) pair and y left as it is.""",
        """`compose(*fns)` 返回一个按顺序应用 fns（先应用第一个）的函数；`normalize(mean, std)` 返回函数
x -> (x - mean) / std；数据集 `Transformed(base, transform)` 包含 base 的样本，对每对 (x, y) 中的 x 应用
transform，y 保持不变。"""),
    hint=T("compose: def run(x): for fn in fns: x = fn(x); return x. Transformed.__getitem__: "
           "x, y = self.base[i]; return self.transform(x), y.",
           "compose：def run(x): for fn in fns: x = fn(x); return x。Transformed.__getitem__："
           "x, y = self.base[i]; return self.transform(x), y。"),
    imports=("import torch", "from torch.utils.data import Dataset"),
    starter='''


def compose(*fns):
    return ...  # TODO: a function applying fns in order


def normalize(mean, std):
    return ...  # TODO


class Transformed(Dataset):
    def __init__(self, base, transform):
        self.base = base
        self.transform = transform

    def __len__(self):
        raise NotImplementedError("TODO")

    def __getitem__(self, i):
        raise NotImplementedError("TODO")
''',
    solution='''


def compose(*fns):
    def run(x):
        for fn in fns:
            x = fn(x)
        return x
    return run


def normalize(mean, std):
    return lambda x: (x - mean) / std


class Transformed(Dataset):
    def __init__(self, base, transform):
        self.base = base
        self.transform = transform

    def __len__(self):
        return len(self.base)

    def __getitem__(self, i):
        x, y = self.base[i]
        return self.transform(x), y
''',
    checks=[_compose, _normalize, _transformed],
)


EXERCISES = [DATASET, DATALOADER, TRANSFORMS]
