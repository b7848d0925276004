"""Every message the learning track prints, in English and Chinese, and the choice of language."""
from __future__ import annotations

import os

CHAPTERS = {
    1: {"en": "Tensors", "zh": "张量"},
    2: {"en": "Autograd", "zh": "自动微分"},
    3: {"en": "Neural network modules", "zh": "神经网络模块"},
    4: {"en": "Losses and optimizers", "zh": "损失函数与优化器"},
    5: {"en": "Data", "zh": "数据"},
    6: {"en": "Training", "zh": "训练"},
}

MESSAGES = {
    "en": {
        "file_head": "ember learn, exercise {number}/{total}: {title} "
                     "(chapter {chapter}: {chapter_title})",
        "file_check": "Check your work:  python -m ember.learn check {number}",
        "file_run": "Try it yourself:  python -m ember.run {filename}",
        "banner": "ember learn: {done}/{total} exercises done",
        "current": "Current: {number} {name} (chapter {chapter}: {chapter_title}), {status}",
        "next_start": "Next: python -m ember.learn start{arg}",
        "next_edit": "Next: edit {path}, then run: python -m ember.learn check{arg}",
        "all_done": "Every exercise is done. Well done!",
        "no_workspace_yet": "No workspace yet at {path}. Begin with: python -m ember.learn start",
        "no_workspace": "no workspace at {path}: begin with `python -m ember.learn start` "
                        "(or pass --dir)",
        "no_file": "{path} does not exist: run `python -m ember.learn start {number}` first",
        "unknown": "no exercise '{target}'{suggest}: `python -m ember.learn list` shows them all",
        "suggest": " (did you mean '{name}'?)",
        "col_num": "#", "col_chapter": "chapter", "col_name": "exercise", "col_status": "status",
        "st_todo": "todo", "st_started": "started", "st_done": "done",
        "theory": "Theory", "task": "Task", "hint": "Hint",
        "wrote": "Wrote {path}",
        "kept": "{path} already exists: your edits are kept (`reset` restores the original)",
        "edit_then_check": "Edit {path}, then run: python -m ember.learn check{arg}",
        "checking": "Checking {filename} (exercise {number}: {name}) on {backend} ...",
        "ok_mark": "  PASS  {title}",
        "fail_mark": "  FAIL  {title}",
        "expected": "        expected: {value}",
        "got": "        got:      {value}",
        "passed": "Passed! Exercise {number} ({name}) is done. [{done}/{total}]",
        "next_is": "Next: exercise {number} ({name}): python -m ember.learn start {number}",
        "not_done": "{filename} is not done yet: {where} still has a TODO gap. "
                    "Fill it in and check again.",
        "syntax": "{filename} has a syntax error on line {line}: {message}",
        "learner_error": "Your code raised an exception:",
        "check_error": "the check could not use what your code returned ({error})",
        "timeout": "{filename} took longer than {seconds:g} s: an endless loop, a sleep or a "
                   "very long training? (raise the limit with --timeout)",
        "crashed": "the checking process ended without a result (exit code {code}); "
                   "does your file call os._exit or crash Python?",
        "exit_called": "your file called exit()/sys.exit() while it was being checked",
        "output": "Your output ({shown}):",
        "output_cut": "first {limit} characters of {total}",
        "output_all": "{lines} lines",
        "no_torch": "backend torch: PyTorch is not installed here (pip install torch), "
                    "use --backend ember",
        "missing_extra": "this exercise needs {package}: pip install {pip}",
        "hint_line": "Hint: {hint}",
        "solution_locked": "the solution of exercise {number} opens after your check passes "
                           "(or add --force)",
        "reset_done": "Restored {path}; your version is saved as {backup}",
        "reset_fresh": "Restored {path}",
        "progress_broken": "the progress file {path} cannot be read ({why}); rebuild it from "
                           "your files with: python -m ember.learn rebuild",
        "rebuilt": "Rebuilt {path}: {done} exercises pass their checks.",
        "rebuild_saved": "The unreadable file was kept as {backup}.",
        "watching": "Watching {path} (every {interval:g} s, Ctrl-C to stop) ...",
        "watch_stop": "Stopped watching.",
        "watch_next": "Moving on to exercise {number} ({name}).",
        "bad_timeout": "--timeout and --interval need a positive number of seconds",
    },
    "zh": {
        "file_head": "ember learn 练习 {number}/{total}：{title}（第 {chapter} 章：{chapter_title}）",
        "file_check": "检查你的答案：  python -m ember.learn check {number}",
        "file_run": "自己运行一下：  python -m ember.run {filename}",
        "banner": "ember learn：已完成 {done}/{total} 个练习",
        "current": "当前：{number} {name}（第 {chapter} 章：{chapter_title}），{status}",
        "next_start": "下一步：python -m ember.learn start{arg}",
        "next_edit": "下一步：编辑 {path}，然后运行：python -m ember.learn check{arg}",
        "all_done": "所有练习都完成了，太棒了！",
        "no_workspace_yet": "{path} 还没有练习目录。从这里开始：python -m ember.learn start",
        "no_workspace": "找不到练习目录 {path}：请先运行 `python -m ember.learn start`（或用 --dir 指定）",
        "no_file": "{path} 不存在：请先运行 `python -m ember.learn start {number}`",
        "unknown": "没有名为 '{target}' 的练习{suggest}：`python -m ember.learn list` 会列出全部练习",
        "suggest": "（你是不是想找 '{name}'？）",
        "col_num": "#", "col_chapter": "章节", "col_name": "练习", "col_status": "状态",
        "st_todo": "未开始", "st_started": "进行中", "st_done": "已完成",
        "theory": "理论", "task": "任务", "hint": "提示",
        "wrote": "已写入 {path}",
        "kept": "{path} 已存在：保留你的修改（`reset` 可以恢复原始文件）",
        "edit_then_check": "编辑 {path}，然后运行：python -m ember.learn check{arg}",
        "checking": "正在检查 {filename}（练习 {number}：{name}），后端 {backend} ……",
        "ok_mark": "  通过  {title}",
        "fail_mark": "  失败  {title}",
        "expected": "        期望：{value}",
        "got": "        实际：{value}",
        "passed": "通过！练习 {number}（{name}）已完成。[{done}/{total}]",
        "next_is": "下一个：练习 {number}（{name}）：python -m ember.learn start {number}",
        "not_done": "{filename} 还没有完成：{where} 里还有 TODO 空缺。补全后再检查一次。",
        "syntax": "{filename} 第 {line} 行有语法错误：{message}",
        "learner_error": "你的代码抛出了异常：",
        "check_error": "检查无法使用你的代码返回的结果（{error}）",
        "timeout": "{filename} 运行超过了 {seconds:g} 秒：是死循环、sleep 还是训练太久？"
                   "（可以用 --timeout 放宽时间限制）",
        "crashed": "检查进程没有给出结果就结束了（退出码 {code}）；你的文件是否调用了 os._exit 或让 Python 崩溃？",
        "exit_called": "检查时你的文件调用了 exit()/sys.exit()",
        "output": "你的输出（{shown}）：",
        "output_cut": "共 {total} 个字符，只显示前 {limit} 个",
        "output_all": "{lines} 行",
        "no_torch": "后端 torch：这里没有安装 PyTorch（pip install torch），请使用 --backend ember",
        "missing_extra": "这个练习需要 {package}：pip install {pip}",
        "hint_line": "提示：{hint}",
        "solution_locked": "练习 {number} 的参考答案要在你的检查通过后才能查看（或加上 --force）",
        "reset_done": "已恢复 {path}；你的版本保存为 {backup}",
        "reset_fresh": "已恢复 {path}",
        "progress_broken": "无法读取进度文件 {path}（{why}）；可以根据你的文件重建它："
                           "python -m ember.learn rebuild",
        "rebuilt": "已重建 {path}：{done} 个练习通过了检查。",
        "rebuild_saved": "无法读取的旧文件已保存为 {backup}。",
        "watching": "正在监视 {path}（每 {interval:g} 秒一次，按 Ctrl-C 停止）……",
        "watch_stop": "已停止监视。",
        "watch_next": "进入练习 {number}（{name}）。",
        "bad_timeout": "--timeout 和 --interval 需要一个正数（秒）",
    },
}


def say(lang: str, key: str, **fields) -> str:
    """The message ``key`` in ``lang``, filled in with ``fields``."""
    return MESSAGES[lang][key].format(**fields)


def chapter_title(chapter: int, lang: str) -> str:
    """The title of a chapter in ``lang``."""
    return CHAPTERS[chapter][lang]


def default_lang(environ=None) -> str:
    """zh where the locale (LC_ALL, then LANG) starts with zh, else en."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LANG"):
        value = environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
