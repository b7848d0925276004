"""The checking subprocess: ``python -m ember.learn._worker REQUEST.json``.

It serves ``import torch`` from ember the way ``python -m ember.run`` does (backend ember)
or leaves it to the installed PyTorch (backend torch), runs the checks of one exercise on
the learner's file, and writes the report as JSON to the path named in the request.
"""
from __future__ import annotations

import json
import os
import sys


def main(argv: list | None = None) -> int:
    """Run one check request; the report goes to the request's ``result`` path."""
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as f:
        request = json.load(f)
    if request["backend"] == "ember":
        from .. import _aliased_child  # serves torch from ember, as ember.run does
        _aliased_child.inherit()
    from .evaluate import evaluate
    from .exercises import by_name
    path = request["path"]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    report = evaluate(by_name(request["exercise"]), path, request["lang"])
    tmp = request["result"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f)
    os.replace(tmp, request["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
