"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import threading

import pytest

import ember


def _tracked():
    return ember.ones(2, requires_grad=True)


def test_no_grad_context_stops_recording():
    x = _tracked()
    with ember.no_grad():
        y = x * 2
    assert (y.requires_grad, y.grad_fn, ember.is_grad_enabled()) == (False, None, True)


def test_no_grad_decorator_with_parentheses():
    @ember.no_grad()
    def double(x):
        return x * 2
    assert not double(_tracked()).requires_grad


def test_no_grad_bare_decorator():
    @ember.no_grad
    def double(x):
        return x * 2
    assert not double(_tracked()).requires_grad


def test_no_grad_decorated_function_keeps_its_name():
    @ember.no_grad()
    def evaluate(x):
        return x
    assert evaluate.__name__ == "evaluate"


def test_no_grad_decorated_generator_runs_each_step_without_grad():
    @ember.no_grad()
    def steps(x):
        yield (x * 2).requires_grad
        yield ember.is_grad_enabled()
    gen = steps(_tracked())
    first = next(gen)
    between = ember.is_grad_enabled()
    assert (first, between, next(gen)) == (False, True, False)


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    with ember.no_grad():
        with ember.enable_grad():
            y = _tracked() * 2
        after = ember.is_grad_enabled()
    assert (y.requires_grad, after) == (True, False)


def test_enable_grad_decorator():
    @ember.enable_grad()
    def double(x):
        return x * 2
    with ember.no_grad():
        assert double(_tracked()).requires_grad


def test_set_grad_enabled_as_function_switches_at_once():
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()


def test_set_grad_enabled_as_context_restores():
    with ember.set_grad_enabled(False):
        inside = ember.is_grad_enabled()
    assert (inside, ember.is_grad_enabled()) == (False, True)


def test_set_grad_enabled_as_decorator_only_applies_inside():
    @ember.set_grad_enabled(False)
    def mode():
        return ember.is_grad_enabled()
    assert (ember.is_grad_enabled(), mode(), ember.is_grad_enabled()) == (True, False, True)


def test_inference_mode_stops_recording():
    with ember.inference_mode():
        y = _tracked() * 2
        flag = ember.is_inference_mode_enabled()
    assert (y.requires_grad, flag, ember.is_inference_mode_enabled()) == (False, True, False)


def test_inference_mode_false_changes_nothing():
    with ember.inference_mode(False):
        y = _tracked() * 2
    assert y.requires_grad


def test_inference_mode_bare_decorator():
    @ember.inference_mode
    def double(x):
        return x * 2
    assert not double(_tracked()).requires_grad


def test_grad_mode_is_thread_local():
    seen = []

    def worker():
        seen.append(ember.is_grad_enabled())
        ember.set_grad_enabled(False)

    with ember.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        main_inside = ember.is_grad_enabled()
    assert (seen, main_inside, ember.is_grad_enabled()) == ([True], False, True)


def test_autograd_namespace_exports_the_same_switches():
    assert ember.autograd.no_grad is ember.no_grad
    assert ember.autograd.set_grad_enabled is ember.set_grad_enabled
