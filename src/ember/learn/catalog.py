"""The exercise catalogue as Markdown, generated from the exercise records.

``python -m ember.learn.catalog > docs/learn.md`` regenerates the documentation page; a
test keeps the committed page equal to what this module renders.
"""
from __future__ import annotations

import sys

from .exercises import ALL
from .texts import CHAPTERS

_INTRO = """\
# Learning PyTorch with ember: the exercise track

`python -m ember.learn` is a track of {count} short exercises, from creating tensors to
training and saving a classifier. Each exercise comes with a few paragraphs of theory, a
task, a starter file with `...` / `TODO` gaps, and checks that judge what your code
*does* (shapes, dtypes, values, gradients), so any correct solution passes. Every text
exists in English and Chinese (`--lang en|zh`, default from `LC_ALL` / `LANG`).

The exercise files are plain PyTorch programs (`import torch`): the checks run them on
ember (the default, through ember's drop-in runner) or, with `--backend torch`, on an
installed PyTorch.

## Commands

| command | what it does |
|---|---|
| `python -m ember.learn` | where you stand: a progress bar, the current exercise, what to run next |
| `python -m ember.learn list` | every exercise with its chapter and status (todo, started, done) |
| `python -m ember.learn start [N\\|NAME]` | writes the exercise file into the workspace (default `./ember-exercises`, `--dir` to choose) and prints the theory and task; an existing file is never overwritten |
| `python -m ember.learn check [N\\|NAME]` | runs the checks on your file in a separate process with a time limit (`--timeout`, default 20 s); says which check failed, what was expected and what came out, and gives a hint |
| `python -m ember.learn watch` | re-checks the current exercise whenever you save it and moves on when it passes (`--interval S`, `--once`, `--max-checks N`) |
| `python -m ember.learn hint [N\\|NAME]` | the exercise's hint |
| `python -m ember.learn solution [N\\|NAME]` | the reference solution, once your check has passed (or with `--force`) |
| `python -m ember.learn reset [N\\|NAME]` | restores the original exercise file; yours is kept as `NAME.py.bak` |
| `python -m ember.learn rebuild` | rebuilds `.progress.json` by running the checks on every file in the workspace |

Exit status: 0 when a check passed (or the command did what was asked), 1 when a check
failed, 2 for bad input (an unknown exercise, a missing workspace or file, an unreadable
progress file, `--backend torch` without PyTorch installed).

Progress is kept in `.progress.json` in the workspace, written atomically. If it is
damaged or edited by hand, the tool says so and `python -m ember.learn rebuild`
recreates it from your files (the damaged file is kept as `.progress.json.broken`).

This page is generated from the exercise records (`src/ember/learn/exercises/`):
`python -m ember.learn.catalog > docs/learn.md`.

## The exercises
"""


def render_markdown() -> str:
    """The catalogue page: the commands, then every exercise by chapter."""
    lines = [_INTRO.format(count=len(ALL))]
    for chapter, titles in CHAPTERS.items():
        items = [e for e in ALL if e.chapter == chapter]
        if not items:
            continue
        lines.append(f"### Chapter {chapter}: {titles['en']} ({titles['zh']})\n")
        lines.append("| # | name | title | checks |")
        lines.append("|---|---|---|---|")
        for e in items:
            title = f"{e.title['en']} / {e.title['zh']}"
            lines.append(f"| {e.number} | `{e.name}` | {title} | {len(e.checks)} |")
        lines.append("")
        for e in items:
            task = " ".join(e.task["en"].split())
            lines.append(f"- **{e.number}. `{e.name}`**: {task}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    """Print the catalogue page (redirect it to docs/learn.md)."""
    sys.stdout.write(render_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
