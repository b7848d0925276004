"""An exception raised by a remote function, carried back to the caller and raised there with
its own type and a message that holds the remote worker and traceback."""
from __future__ import annotations

import traceback


def describe(exc: BaseException, where) -> tuple[type, str]:
    """``(type, message)`` for an exception caught on worker ``where``: the message names the
    worker, repeats the exception and gives its traceback."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return type(exc), f"On {where}:\n{exc!r}\n{tb}"


def rebuild(kind: type, message: str) -> BaseException:
    """The caller's exception: ``kind(message)``, or a RuntimeError that says why it is not."""
    try:
        return kind(message)
    except BaseException as exc:
        return RuntimeError(f"Failed to create original exception type. Error msg was {exc}"
                            f" Original exception on remote side was {message}")


def timeout_error(seconds: float) -> RuntimeError:
    """The error of an RPC that ran past its timeout."""
    return RuntimeError(f"RPC ran for more than set timeout ({int(seconds * 1000)} ms) and "
                        "will now be marked with an error")
