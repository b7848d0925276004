"""Both languages have every text, the language follows the locale, and the progress file is
written atomically and validated on reading."""
import json
import string

import pytest

from ember.learn.exercises import ALL
from ember.learn.progress import Progress, ProgressError
from ember.learn.texts import CHAPTERS, MESSAGES, default_lang


def _fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_message_keys():
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_a_message_has_the_same_fields_in_both_languages(key):
    assert _fields(MESSAGES["en"][key]) == _fields(MESSAGES["zh"][key])
    assert MESSAGES["zh"][key].strip()


@pytest.mark.parametrize("exercise", ALL, ids=[e.name for e in ALL])
def test_every_exercise_text_exists_in_both_languages(exercise):
    for field in ("title", "theory", "task", "hint"):
        texts = getattr(exercise, field)
        assert set(texts) == {"en", "zh"}, field
        assert all(v.strip() for v in texts.values()), field
    for fn in exercise.checks:
        assert set(fn.title) == {"en", "zh"} and all(fn.title.values())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exercise.theory["zh"])


def test_chapter_titles_exist_in_both_languages():
    assert all(set(t) == {"en", "zh"} for t in CHAPTERS.values())


@pytest.mark.parametrize("environ,lang", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en"),
])
def test_the_default_language_follows_the_locale(environ, lang):
    assert default_lang(environ) == lang


def test_the_exercise_file_carries_the_task_in_the_chosen_language():
    e = ALL[0]
    assert e.task["zh"].split("：")[0][:6] in e.file_text("zh", "starter", len(ALL))
    assert "Check your work" in e.file_text("en", "starter", len(ALL))


NAMES = [e.name for e in ALL]


def test_progress_round_trips_and_leaves_no_temporary_file(tmp_path):
    p = Progress(str(tmp_path))
    p.mark_done("views")
    p.current = "indexing"
    p.save()
    back = Progress.load(str(tmp_path), NAMES)
    assert set(back.done) == {"views"} and back.current == "indexing"
    assert sorted(f.name for f in tmp_path.iterdir()) == [".progress.json"]


@pytest.mark.parametrize("content,words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not an ember learn progress file"),
    (json.dumps({"format": "ember-learn-progress", "version": 9, "done": {}}), "version"),
    (json.dumps({"format": "ember-learn-progress", "version": 1, "done": ["views"]}), "done"),
    (json.dumps({"format": "ember-learn-progress", "version": 1,
                 "done": {"nonsense": "x"}}), "unknown exercise 'nonsense'"),
])
def test_a_broken_progress_file_raises_a_clear_error(tmp_path, content, words):
    (tmp_path / ".progress.json").write_text(content)
    with pytest.raises(ProgressError) as info:
        Progress.load(str(tmp_path), NAMES)
    assert words in info.value.why
