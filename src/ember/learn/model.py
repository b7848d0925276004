"""What an exercise is, and the small toolkit its checks are written with.

An exercise is a data record: texts in English and Chinese, a starter file with ``...`` /
``TODO`` gaps, a reference solution, and check functions. A check receives a
:class:`Checker` that wraps the learner's module and the ``torch`` it imported (ember or
real PyTorch) and judges behaviour, never the source text.
"""
from __future__ import annotations

import dataclasses
import os
import re
import textwrap
import traceback
from collections.abc import Callable
from typing import Any

LANGS = ("en", "zh")


class NotDone(Exception):
    """A TODO gap in the learner's file is still open."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


class CheckFailed(Exception):
    """A check saw behaviour other than the expected one."""

    def __init__(self, message: str, expected: str | None = None, got: str | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got


class LearnerError(Exception):
    """The learner's own code raised; ``text`` is its traceback, learner frames only."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def check(en: str, zh: str) -> Callable:
    """Mark a function as a check and give it a title in both languages."""
    def mark(fn):
        fn.title = {"en": en, "zh": zh}
        return fn
    return mark


@dataclasses.dataclass
class Exercise:
    """One step of the track: texts, starter file, reference solution and checks. The
    import lines the starter and the solution share are kept apart in ``imports`` (the
    exercise files import torch; ember's own sources never do)."""

    name: str
    chapter: int
    title: dict
    theory: dict
    task: dict
    hint: dict
    starter: str
    solution: str
    checks: list
    needs: tuple = ()          # optional packages the checks import (e.g. sklearn)
    imports: tuple = ()        # the file's import lines, written above the starter/solution
    number: int = 0            # 1-based position in the track, set by the registry

    @property
    def filename(self) -> str:
        """The learner's file name in the workspace, e.g. ``05_views.py``."""
        return f"{self.number:02d}_{self.name}.py"

    def file_text(self, lang: str, body: str | None = None, total: int = 0) -> str:
        """The exercise file: the task as comments, then the code (starter by default)."""
        from .texts import chapter_title, say
        head = say(lang, "file_head", number=self.number, total=total, title=self.title[lang],
                   chapter=self.chapter, chapter_title=chapter_title(self.chapter, lang))
        lines = [f"# {head}", "#"]
        for para in self.task[lang].strip().split("\n\n"):
            wrapped = _wrap(para, lang)
            lines += [f"# {line}".rstrip() for line in wrapped] + ["#"]
        lines.append("# " + say(lang, "file_check", number=self.number))
        lines.append("# " + say(lang, "file_run", filename=self.filename))
        code = textwrap.dedent(self.solution if body == "solution" else self.starter)
        code = "\n".join(self.imports) + code  # the code starts with the line break
        return "\n".join(lines) + "\n\n" + code.strip("\n") + "\n"


def _wrap(paragraph: str, lang: str) -> list:
    """Wrap one paragraph for a comment block. Chinese has no spaces to break at: a line may
    break between any two Chinese characters, never inside a `code` span or a word."""
    if lang == "en":
        paragraph = " ".join(paragraph.split())
        return textwrap.wrap(paragraph, 86) or [""]
    paragraph = re.sub(r"(.)\n(.)", _join_zh, paragraph.strip())
    tokens = re.findall(r"`[^`]*`|[\u2e80-\u9fff\uff00-\uffef]|[^\s`\u2e80-\u9fff\uff00-\uffef]+|\s+",
                        paragraph)
    lines, line, width = [], "", 0
    for token in tokens:
        w = sum(2 if ord(ch) > 0x2e80 else 1 for ch in token)
        if width + w > 86 and line.strip():
            lines.append(line.rstrip())
            line, width = ("", 0) if token.isspace() else (token, w)
            continue
        line, width = line + token, width + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _join_zh(match) -> str:
    """Join two lines of Chinese text: no space next to Chinese punctuation or between two
    Chinese characters, one space where Latin text meets."""
    a, b = match.group(1), match.group(2)
    punct = "\u3000" <= a <= "\u303f" or "\uff00" <= a <= "\uffef" or \
        "\u3000" <= b <= "\u303f" or "\uff00" <= b <= "\uffef"
    both = ord(a) > 0x2e80 and ord(b) > 0x2e80
    return a + b if punct or both else a + " " + b


# ---------------------------------------------------------------- describing values

def describe(value: Any, torch: Any) -> str:
    """A short description of a value: for a tensor its shape, dtype, requires_grad and values."""
    if value is Ellipsis:
        return "..."
    if torch is not None and torch.is_tensor(value):
        import numpy as np
        arr = value.detach().cpu().numpy()
        text = np.array2string(arr, threshold=12, edgeitems=3, precision=4,
                               separator=", ")
        text = " ".join(text.split())
        return (f"tensor{_values(text)} shape={tuple(value.shape)} dtype={value.dtype} "
                f"requires_grad={value.requires_grad}")
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _values(text: str) -> str:
    return f"({text})" if len(text) <= 120 else f"({text[:117]}...)"


def has_ellipsis(value: Any, depth: int = 0) -> bool:
    """Whether a returned value is (or directly holds) a ``...`` left from the starter."""
    if value is Ellipsis:
        return True
    if depth < 2 and isinstance(value, (tuple, list)):
        return any(has_ellipsis(v, depth + 1) for v in value)
    if depth < 2 and isinstance(value, dict):
        return any(has_ellipsis(v, depth + 1) for v in value.values())
    return False


def learner_traceback(err: BaseException, path: str) -> str:
    """The traceback of ``err`` cut down to the frames that run the learner's own file."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    name = os.path.basename(path)
    lines = []
    for f in frames[-6:]:
        lines.append(f'  File "{name}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line.strip()}")
    kind = type(err).__name__
    message = str(err)
    if len(message) > 400:
        message = message[:397] + "..."
    lines.append(f"{kind}: {message}" if message else kind)
    return "\n".join(lines)


def _todo_line(err: BaseException, path: str) -> int | None:
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    return frames[-1].lineno if frames else None


# ---------------------------------------------------------------- the checker

class Checker:
    """What a check sees: the learner's names, the backend's ``torch`` and helpers that turn
    a mismatch into a message with what was expected and what came out."""

    def __init__(self, namespace: dict, torch: Any, lang: str, path: str, workdir: str):
        self.ns = namespace
        self.torch = torch
        self.lang = lang
        self.path = path
        self.workdir = workdir   # a scratch folder the checks may write into

    # -- texts
    def text(self, en: str, zh: str) -> str:
        """Pick the text in the learner's language."""
        return zh if self.lang == "zh" else en

    def fail(self, en: str, zh: str, expected: Any = None, got: Any = None):
        """Fail the check with a message in both languages and what was expected / got."""
        raise CheckFailed(self.text(en, zh),
                          None if expected is None else str(expected),
                          None if got is None else str(got))

    def expect(self, ok: bool, en: str, zh: str, expected: Any = None, got: Any = None):
        """Fail with the message unless ``ok``."""
        if not ok:
            self.fail(en, zh, expected, got)

    def show(self, value: Any) -> str:
        """Describe a value for an expected/got line."""
        return describe(value, self.torch)

    # -- the learner's names
    def get(self, name: str) -> Any:
        """The learner's module-level ``name``; a missing name fails, ``...`` is not done."""
        if name not in self.ns:
            self.fail(f"your file defines no `{name}` (keep the name from the starter file)",
                      f"你的文件里没有定义 `{name}`（请保留练习文件里的名字）")
        value = self.ns[name]
        if value is Ellipsis:
            raise NotDone(f"`{name}`")
        return value

    def call(self, name: str, *args, **kwargs) -> Any:
        """Call the learner's function ``name``; its exceptions come back as theirs."""
        fn = self.get(name)
        if not callable(fn):
            self.fail(f"`{name}` should be a function or class", f"`{name}` 应该是函数或类",
                      "callable", self.show(fn))
        with self.running(f"`{name}`"):
            result = fn(*args, **kwargs)
        if has_ellipsis(result):
            raise NotDone(f"`{name}`")
        return result

    def running(self, what: str = ""):
        """A context that reports exceptions raised by learner code (e.g. ``model(x)``)."""
        return _Running(self, what)

    # -- tensors
    def is_tensor(self, value: Any) -> bool:
        return self.torch.is_tensor(value)

    def tensor(self, got: Any, expected: Any = None, *, what: str = "result", shape=None,
               dtype=None, requires_grad=None, atol: float = 1e-5, rtol: float = 1e-4):
        """Check that ``got`` is a tensor matching ``expected`` (a tensor) in shape, dtype and
        values, or the given ``shape``/``dtype``/``requires_grad`` alone."""
        import numpy as np
        if not self.is_tensor(got):
            self.fail(f"{what} should be a tensor", f"{what} 应该是张量",
                      "a tensor" if expected is None else self.show(expected), self.show(got))
        if expected is not None:
            shape = tuple(expected.shape) if shape is None else shape
            dtype = expected.dtype if dtype is None else dtype
        if shape is not None and tuple(got.shape) != tuple(shape):
            self.fail(f"{what} has the wrong shape", f"{what} 的形状不对",
                      f"shape={tuple(shape)}", self.show(got))
        if dtype is not None and got.dtype != dtype:
            self.fail(f"{what} has the wrong dtype", f"{what} 的数据类型（dtype）不对",
                      f"dtype={dtype}", self.show(got))
        if requires_grad is not None and got.requires_grad != requires_grad:
            self.fail(f"{what}: requires_grad should be {requires_grad}",
                      f"{what}：requires_grad 应该是 {requires_grad}",
                      f"requires_grad={requires_grad}", self.show(got))
        if expected is not None:
            a = got.detach().cpu().numpy()
            b = expected.detach().cpu().numpy()
            if a.dtype == bool or b.dtype == bool or a.dtype.kind in "iu":
                same = np.array_equal(a, b)
            else:
                same = np.allclose(a, b, atol=atol, rtol=rtol, equal_nan=False)
            if not same:
                self.fail(f"{what} has the wrong values", f"{what} 的数值不对",
                          self.show(expected), self.show(got))
        return got

    def shares_memory(self, a: Any, b: Any) -> bool:
        """Whether two CPU tensors (or arrays) share memory."""
        import numpy as np

        def arr(x):
            return x.detach().numpy() if self.is_tensor(x) else x
        return bool(np.shares_memory(arr(a), arr(b)))


class _Running:
    def __init__(self, checker: Checker, what: str):
        self.checker = checker
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if err is None or not isinstance(err, Exception):
            return False
        if isinstance(err, (NotDone, CheckFailed, LearnerError)):
            return False
        path = self.checker.path
        if isinstance(err, NotImplementedError) or "ellipsis" in str(err):
            line = _todo_line(err, path)
            where = self.what or "?"
            raise NotDone(where + (f" (line {line})" if line else "")) from None
        raise LearnerError(learner_traceback(err, path)) from None
