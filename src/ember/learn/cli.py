"""The command line of the learning track: ``python -m ember.learn [COMMAND] [N|NAME]``.

Exit status: 0 when the command did what was asked (a check passed), 1 when a check failed
(or a solution is still locked), 2 for bad input (an unknown exercise, a missing workspace
or file, a broken progress file, PyTorch missing for ``--backend torch``).
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import importlib.util
import os
import shutil
import sys
import time

from . import exercises as _ex
from .progress import Progress, ProgressError
from .sandbox import check_in_subprocess
from .texts import chapter_title, default_lang, say

COMMANDS = ("status", "list", "start", "check", "watch", "hint", "solution", "reset",
            "rebuild")
DEFAULT_DIR = "ember-exercises"

_DESCRIPTION = """\
Learn PyTorch step by step on ember: short exercises from tensors to training, each a
plain PyTorch file that you complete and `check` judges by what it does.

commands:
  (none)            where you stand and what to run next
  list              every exercise with its chapter and status
  start [N|NAME]    write the exercise file into the workspace and show its theory and task
  check [N|NAME]    run the exercise's checks on your file
  watch             check the current exercise on every save, moving on when it passes
  hint [N|NAME]     a hint for the exercise
  solution [N|NAME] the reference solution (after your check passed, or with --force)
  reset [N|NAME]    restore the original exercise file (yours is kept as a backup)
  rebuild           rebuild the progress file by checking every file in the workspace
"""


class UsageError(Exception):
    """Bad input from the command line: one line to print, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (python -m ember.learn --help)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; options may come before or after the command."""
    p = _Parser(prog="python -m ember.learn", description=_DESCRIPTION,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="status", choices=COMMANDS,
                   metavar="COMMAND", help="one of: " + ", ".join(COMMANDS))
    p.add_argument("target", nargs="?", default=None, metavar="N|NAME",
                   help="an exercise number or name (default: the current exercise)")
    p.add_argument("--dir", default=DEFAULT_DIR,
                   help=f"the workspace folder (default: ./{DEFAULT_DIR})")
    p.add_argument("--lang", choices=("en", "zh"), default=None,
                   help="language of the texts (default: from LC_ALL / LANG)")
    p.add_argument("--backend", choices=("ember", "torch"), default="ember",
                   help="run the checks on ember (default) or on the installed PyTorch")
    p.add_argument("--timeout", type=float, default=20.0,
                   help="seconds a check run may take (default: 20)")
    p.add_argument("--force", action="store_true", help="show a solution before passing")
    p.add_argument("--interval", type=float, default=1.0,
                   help="watch: seconds between looks at the file (default: 1)")
    p.add_argument("--once", action="store_true",
                   help="watch: stop when the current exercise passes")
    p.add_argument("--max-checks", type=int, default=None,
                   help="watch: stop after this many check runs")
    return p


class Session:
    """One command's view of the track: the options, the workspace and the progress."""

    def __init__(self, args):
        self.args = args
        self.lang = args.lang or default_lang()
        self.workspace = os.path.abspath(args.dir)
        self.total = len(_ex.ALL)
        self._progress = None

    # -- output
    def say(self, key, **fields):
        print(say(self.lang, key, **fields))

    def text(self, key, **fields):
        return say(self.lang, key, **fields)

    # -- workspace and progress
    def need_workspace(self):
        if not os.path.isdir(self.workspace):
            raise UsageError(self.text("no_workspace", path=self.args.dir))

    @property
    def progress(self) -> Progress:
        if self._progress is None:
            if os.path.isdir(self.workspace):
                try:
                    self._progress = Progress.load(self.workspace, [e.name for e in _ex.ALL])
                except ProgressError as err:
                    raise UsageError(self.text("progress_broken", path=err.path, why=err.why))
            else:
                self._progress = Progress(self.workspace)
        return self._progress

    def path_of(self, exercise) -> str:
        return os.path.join(self.workspace, exercise.filename)

    def shown_path(self, exercise) -> str:
        return os.path.join(self.args.dir, exercise.filename)

    def status_of(self, exercise) -> str:
        if exercise.name in self.progress.done:
            return "done"
        return "started" if os.path.exists(self.path_of(exercise)) else "todo"

    def current(self):
        """The exercise being worked on: the recorded one unless done, else the first not done."""
        cur = self.progress.current
        if cur is not None and cur not in self.progress.done:
            return _ex.by_name(cur)
        for e in _ex.ALL:
            if e.name not in self.progress.done:
                return e
        return None

    def next_after(self, exercise):
        """The first exercise not done after ``exercise`` (wrapping round), or None."""
        order = _ex.ALL[exercise.number:] + _ex.ALL[:exercise.number - 1]
        for e in order:
            if e.name not in self.progress.done:
                return e
        return None

    def target(self):
        """The exercise named on the command line, or the current one."""
        if self.args.target is None:
            current = self.current()
            return current if current is not None else _ex.ALL[-1]
        found = _ex.find(self.args.target)
        if found is None:
            names = [e.name for e in _ex.ALL]
            close = difflib.get_close_matches(self.args.target, names, n=1)
            suggest = self.text("suggest", name=close[0]) if close else ""
            raise UsageError(self.text("unknown", target=self.args.target, suggest=suggest))
        return found

    # -- writing files
    def write_starter(self, exercise) -> bool:
        """Write the exercise file unless one is there; True when it was written."""
        path = self.path_of(exercise)
        if os.path.exists(path):
            return False
        os.makedirs(self.workspace, exist_ok=True)
        _atomic_write(path, exercise.file_text(self.lang, "starter", self.total))
        return True

    def run_checks(self, exercise) -> dict:
        if self.args.backend == "torch" and importlib.util.find_spec("torch") is None:
            raise UsageError(self.text("no_torch"))
        return check_in_subprocess(exercise, self.path_of(exercise), backend=self.args.backend,
                                   lang=self.lang, timeout=self.args.timeout)


def _atomic_write(path: str, text: str) -> None:
    tmp = path + f".tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _arg(exercise, session) -> str:
    """`` N`` for messages when the exercise is not the current one, else nothing."""
    current = session.current()
    return "" if current is not None and current.name == exercise.name else f" {exercise.number}"


# ---------------------------------------------------------------- commands

def cmd_status(s: Session) -> int:
    """Where the learner stands: a progress bar, the current exercise, what to run next."""
    if not os.path.isdir(s.workspace):
        s.say("banner", done=0, total=s.total)
        print(_bar(0, s.total))
        s.say("no_workspace_yet", path=s.args.dir)
        return 0
    done = sum(1 for e in _ex.ALL if e.name in s.progress.done)
    s.say("banner", done=done, total=s.total)
    print(_bar(done, s.total))
    current = s.current()
    if current is None:
        s.say("all_done")
        return 0
    status = s.status_of(current)
    s.say("current", number=current.number, name=current.name, chapter=current.chapter,
          chapter_title=chapter_title(current.chapter, s.lang), status=s.text("st_" + status))
    if status == "todo":
        s.say("next_start", arg="")
    else:
        s.say("next_edit", path=s.shown_path(current), arg="")
    return 0


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else width
    pct = round(100 * done / total) if total else 100
    return f"[{'#' * filled}{'.' * (width - filled)}] {pct}%"


def cmd_list(s: Session) -> int:
    """Every exercise with its chapter and status, as a table."""
    rows = [(str(e.number), f"{e.chapter} {chapter_title(e.chapter, s.lang)}", e.name,
             s.text("st_" + s.status_of(e))) for e in _ex.ALL]
    head = tuple(s.text(k) for k in ("col_num", "col_chapter", "col_name", "col_status"))
    widths = [max(_width(r[i]) for r in rows + [head]) for i in range(4)]
    for row in [head] + rows:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip())
    return 0


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2e80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def cmd_start(s: Session) -> int:
    """Write the exercise file (never over an existing one), print theory and task."""
    exercise = s.target()
    _ = s.progress  # a broken progress file is reported before anything is written
    _show_intro(s, exercise)
    wrote = s.write_starter(exercise)
    s.progress.current = exercise.name
    s.progress.save()
    print()
    s.say("wrote" if wrote else "kept", path=s.shown_path(exercise))
    s.say("edit_then_check", path=s.shown_path(exercise), arg=_arg(exercise, s))
    return 0


def _show_intro(s: Session, exercise) -> None:
    title = f"{exercise.number}. {exercise.title[s.lang]}  " \
            f"({chapter_title(exercise.chapter, s.lang)})"
    print(title)
    print("=" * min(_width(title), 78))
    print(exercise.theory[s.lang].strip())
    print()
    print(f"{s.text('task')}:")
    print(exercise.task[s.lang].strip())


def cmd_check(s: Session) -> int:
    """Run the checks on the learner's file, report, and record a pass."""
    s.need_workspace()
    exercise = s.target()
    _ = s.progress  # a broken progress file: exit 2 before the checks run
    return _check_once(s, exercise)


def _check_once(s: Session, exercise) -> int:
    path = s.path_of(exercise)
    if not os.path.exists(path):
        raise UsageError(s.text("no_file", path=s.shown_path(exercise), number=exercise.number))
    s.say("checking", filename=exercise.filename, number=exercise.number, name=exercise.name,
          backend=s.args.backend)
    report = s.run_checks(exercise)
    ok = report_outcome(s, exercise, report)
    if not ok:
        return 1
    s.progress.mark_done(exercise.name)
    following = s.next_after(exercise)
    s.progress.current = following.name if following is not None else exercise.name
    s.progress.save()
    done = sum(1 for e in _ex.ALL if e.name in s.progress.done)
    s.say("passed", number=exercise.number, name=exercise.name, done=done, total=s.total)
    if following is None:
        s.say("all_done")
    else:
        s.say("next_is", number=following.number, name=following.name)
    return 0


def report_outcome(s: Session, exercise, report: dict) -> bool:
    """Print a check report for the learner; True when every check passed."""
    status = report["status"]
    name = exercise.filename
    if status == "timeout":
        print(s.text("timeout", filename=name, seconds=report["seconds"]))
        return False
    if status == "crashed":
        print(s.text("crashed", code=report.get("code")))
        _show_output(s, report)
        return False
    if status == "syntax":
        print(s.text("syntax", filename=name, line=report["line"], message=report["error"]))
        if report.get("where"):
            print("    " + report["where"].strip())
        return False
    if status == "exit" and not report["checks"]:
        print(s.text("exit_called"))
        return False
    if status == "notdone" and not report["checks"]:
        print(s.text("not_done", filename=name, where=report["where"]))
        return False
    if status == "error" and not report["checks"]:
        print(s.text("learner_error"))
        print(report["error"])
        _show_output(s, report)
        return False
    first_bad = None
    for item in report["checks"]:
        print(s.text("ok_mark" if item["ok"] else "fail_mark", title=item["title"]))
        if not item["ok"] and first_bad is None:
            first_bad = item
            _show_failure(s, exercise, item)
    if first_bad is None:
        return True
    _show_output(s, report)
    print(s.text("hint_line", hint=exercise.hint[s.lang]))
    return False


def _show_failure(s: Session, exercise, item: dict) -> None:
    kind = item["kind"]
    if kind == "notdone":
        print("        " + s.text("not_done", filename=exercise.filename, where=item["message"]))
    elif kind == "error":
        print("        " + s.text("learner_error"))
        for line in item["message"].splitlines():
            print("        " + line)
    elif kind == "exit":
        print("        " + s.text("exit_called"))
    else:
        print("        " + (item["message"] or ""))
        if item.get("expected") is not None:
            print(s.text("expected", value=item["expected"]))
        if item.get("got") is not None:
            print(s.text("got", value=item["got"]))


def _show_output(s: Session, report: dict) -> None:
    out = report.get("output")
    if not out or not out.get("text", "").strip():
        return
    text = out["text"].rstrip("\n")
    lines = text.splitlines()
    if out["total"] > len(out["text"]) or len(lines) > 20:
        lines = lines[:20]
        shown = s.text("output_cut", limit=len("\n".join(lines)), total=out["total"])
    else:
        shown = s.text("output_all", lines=len(lines))
    print(s.text("output", shown=shown))
    for line in lines:
        print("  | " + (line if len(line) <= 200 else line[:197] + "..."))


def cmd_watch(s: Session) -> int:
    """Check the current exercise whenever its file changes; move on when it passes."""
    if s.args.interval <= 0:
        raise UsageError(s.text("bad_timeout"))
    _ = s.progress
    exercise = s.target()
    if not os.path.exists(s.path_of(exercise)):
        _show_intro(s, exercise)
        s.write_starter(exercise)
        print()
        s.say("wrote", path=s.shown_path(exercise))
    s.progress.current = exercise.name
    s.progress.save()
    s.say("watching", path=s.shown_path(exercise), interval=s.args.interval)
    seen = None
    runs = 0
    last = 1
    try:
        while True:
            fingerprint = _fingerprint(s.path_of(exercise))
            if fingerprint is not None and fingerprint != seen:
                seen = fingerprint
                runs += 1
                print()
                last = _check_once(s, exercise)
                if last == 0:
                    if s.args.once:
                        return 0
                    following = s.next_after(exercise)
                    if following is None:
                        return 0
                    exercise = following
                    print()
                    s.say("watch_next", number=exercise.number, name=exercise.name)
                    _show_intro(s, exercise)
                    s.write_starter(exercise)
                    s.progress.current = exercise.name
                    s.progress.save()
                    s.say("watching", path=s.shown_path(exercise), interval=s.args.interval)
                    seen = None
                    continue
                if s.args.max_checks is not None and runs >= s.args.max_checks:
                    return last
            sys.stdout.flush()
            time.sleep(s.args.interval)
    except KeyboardInterrupt:
        print()
        s.say("watch_stop")
        return last


def _fingerprint(path: str):
    try:
        with open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    except OSError:
        return None


def cmd_hint(s: Session) -> int:
    """Print the exercise's hint."""
    exercise = s.target()
    print(s.text("hint_line", hint=exercise.hint[s.lang]))
    return 0


def cmd_solution(s: Session) -> int:
    """Print the reference solution, once the learner's check passed (or with --force)."""
    exercise = s.target()
    done = os.path.isdir(s.workspace) and exercise.name in s.progress.done
    if not (done or s.args.force):
        print(s.text("solution_locked", number=exercise.number))
        return 1
    print(exercise.file_text(s.lang, "solution", s.total), end="")
    return 0


def cmd_reset(s: Session) -> int:
    """Restore the original exercise file, keeping the learner's as a backup."""
    s.need_workspace()
    exercise = s.target()
    path = s.path_of(exercise)
    backup = None
    if os.path.exists(path):
        backup = path + ".bak"
        n = 1
        while os.path.exists(backup):
            backup = f"{path}.bak{n}"
            n += 1
        shutil.copy2(path, backup)
    _atomic_write(path, exercise.file_text(s.lang, "starter", s.total))
    if backup:
        s.say("reset_done", path=s.shown_path(exercise),
              backup=os.path.join(s.args.dir, os.path.basename(backup)))
    else:
        s.say("reset_fresh", path=s.shown_path(exercise))
    return 0


def cmd_rebuild(s: Session) -> int:
    """Rebuild the progress file by running the checks of every exercise file present."""
    s.need_workspace()
    old = os.path.join(s.workspace, ".progress.json")
    backup = None
    try:
        Progress.load(s.workspace, [e.name for e in _ex.ALL])
    except ProgressError:
        backup = old + ".broken"
        shutil.copy2(old, backup)
    fresh = Progress(s.workspace)
    for e in _ex.ALL:
        if os.path.exists(s.path_of(e)):
            report = s.run_checks(e)
            if report["status"] == "pass":
                fresh.mark_done(e.name)
    s._progress = fresh
    current = s.current()
    fresh.current = current.name if current is not None else None
    fresh.save()
    s.say("rebuilt", path=os.path.join(s.args.dir, ".progress.json"), done=len(fresh.done))
    if backup:
        s.say("rebuild_saved", backup=os.path.join(s.args.dir, os.path.basename(backup)))
    return 0


_HANDLERS = {"status": cmd_status, "list": cmd_list, "start": cmd_start, "check": cmd_check,
             "watch": cmd_watch, "hint": cmd_hint, "solution": cmd_solution,
             "reset": cmd_reset, "rebuild": cmd_rebuild}


def main(argv: list | None = None) -> int:
    """Run one command of the learning track and return its exit status."""
    try:
        sys.stdout.reconfigure(errors="replace")
    except (AttributeError, ValueError):
        pass
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        if args.timeout <= 0:
            raise UsageError(say(args.lang or default_lang(), "bad_timeout"))
        return _HANDLERS[args.command](Session(args))
    except UsageError as err:
        print(f"ember.learn: {err}", file=sys.stderr)
        return 2
