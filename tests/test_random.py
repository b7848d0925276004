"""Seeding, generators and the random factories (no torch here; the differential stream tests
are in tests/reference/test_random_streams.py)."""
import numpy as np
import pytest

import ember
import ember.random


def test_manual_seed_makes_draws_reproducible():
    ember.manual_seed(5)
    a = ember.rand(4)
    ember.manual_seed(5)
    assert ember.equal(a, ember.rand(4))


def test_seed_zero_gives_the_numbers_pytorch_prints():
    # PyTorch 2.13 on the CPU: manual_seed(0); rand(2); randint(0, 10, (5,)); randperm(6)
    ember.manual_seed(0)
    assert ember.rand(2).tolist() == [0.49625658988952637, 0.7682217955589294]
    assert ember.randint(0, 10, (5,)).tolist() == [3, 0, 3, 9, 7]
    assert ember.randperm(6).tolist() == [1, 3, 5, 2, 4, 0]


def test_manual_seed_returns_the_default_generator_and_sets_initial_seed():
    g = ember.manual_seed(11)
    assert g is ember.default_generator
    assert ember.initial_seed() == 11 == ember.random.initial_seed()


def test_default_initial_seed_is_pytorchs():
    assert ember.Generator().initial_seed() == 67280421310721


def test_negative_seeds_wrap_to_unsigned():
    assert ember.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1


@pytest.mark.parametrize("seed,exc", [(2 ** 64, ValueError), (1.5, RuntimeError)])
def test_bad_seeds(seed, exc):
    with pytest.raises(exc):
        ember.Generator().manual_seed(seed)


def test_generator_argument_is_independent_of_the_default():
    g1 = ember.Generator().manual_seed(3)
    g2 = ember.Generator().manual_seed(3)
    ember.manual_seed(0)
    a = ember.randn(5, generator=g1)
    ember.rand(10)
    assert ember.equal(a, ember.randn(5, generator=g2))


def test_seed_reseeds_non_deterministically():
    s = ember.seed()
    assert ember.initial_seed() == s
    assert ember.seed() != s


def test_rng_state_round_trip():
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8
    a = ember.rand(3)
    ember.set_rng_state(state)
    assert ember.equal(a, ember.rand(3))


def test_set_state_needs_a_byte_tensor():
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        ember.Generator().set_state(ember.zeros(3))


def test_fork_rng_restores_the_stream():
    ember.manual_seed(1)
    with ember.random.fork_rng():
        ember.rand(100)
    after = ember.rand(2)
    ember.manual_seed(1)
    assert ember.equal(after, ember.rand(2))


def test_generator_device():
    assert ember.Generator().device == ember.device("cpu")


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_float_samplers_shapes_and_dtypes(fn):
    f = getattr(ember, fn)
    assert f(2, 3).shape == (2, 3) and f(2, 3).dtype is ember.float32
    assert f((4,)).shape == (4,)
    assert f(size=(2,)).shape == (2,)
    assert f(()).shape == ()
    assert f(3, dtype=ember.float64).dtype is ember.float64
    assert f(2, requires_grad=True).requires_grad


@pytest.mark.parametrize("fn,kernel", [("rand", "check_uniform_bounds"),
                                       ("randn", "normal_kernel_cpu")])
def test_float_samplers_reject_integer_dtypes(fn, kernel):
    with pytest.raises(NotImplementedError, match=kernel):
        getattr(ember, fn)(2, dtype=ember.int64)


def test_rand_is_in_unit_interval_and_randn_is_standard():
    ember.manual_seed(0)
    u = ember.rand(20000).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    n = ember.randn(20000).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03


@pytest.mark.parametrize("args,kwargs,shape", [((10, (3,)), {}, (3,)), ((2, 5, (2, 2)), {}, (2, 2)),
                                               ((4,), {"size": (5,)}, (5,))])
def test_randint(args, kwargs, shape):
    r = ember.randint(*args, **kwargs)
    low, high = (0, args[0]) if len(args) == 2 or "size" in kwargs else args[:2]
    assert r.shape == shape and r.dtype is ember.int64
    assert (r.numpy() >= low).all() and (r.numpy() < high).all()


def test_randint_errors():
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        ember.randint(5, 3, (2,))


def test_randperm_is_a_permutation():
    p = ember.randperm(50)
    assert p.dtype is ember.int64
    assert sorted(p.tolist()) == list(range(50))
    assert ember.randperm(4, dtype=ember.float32).dtype is ember.float32


def test_normal_forms():
    assert ember.normal(2.0, 3.0, size=(4,)).shape == (4,)
    m = ember.normal(ember.zeros(3), 1.0)
    assert m.shape == (3,) and m.dtype is ember.float32
    assert ember.normal(0.0, ember.ones(2, 2)).shape == (2, 2)
    ember.manual_seed(0)
    x = ember.normal(5.0, 0.1, size=(5000,)).numpy()
    assert abs(x.mean() - 5) < 0.01


def test_normal_errors():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        ember.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        ember.normal(ember.zeros(3), ember.ones(2))


def test_bernoulli():
    ember.manual_seed(0)
    b = ember.bernoulli(ember.full((10000,), 0.3))
    assert b.dtype is ember.float32 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(b.numpy().mean() - 0.3) < 0.02
    assert ember.bernoulli(ember.zeros(5), p=1.0).sum().item() == 5
    with pytest.raises(RuntimeError, match="p_in >= 0"):
        ember.bernoulli(ember.tensor([2.0]))


def test_multinomial_with_replacement_follows_the_weights():
    ember.manual_seed(0)
    s = ember.multinomial(ember.tensor([[0.2, 0.8, 0.0], [1.0, 0.0, 1.0]]), 4000,
                          replacement=True)
    assert s.shape == (2, 4000) and s.dtype is ember.int64
    counts = np.bincount(s[0].numpy(), minlength=3) / 4000
    assert abs(counts[1] - 0.8) < 0.03 and counts[2] == 0
    assert set(np.unique(s[1].numpy())) == {0, 2}


def test_multinomial_without_replacement_draws_distinct_nonzero_categories():
    s = ember.multinomial(ember.tensor([0.0, 1.0, 3.0, 2.0]), 3)
    assert sorted(s.tolist()) == [1, 2, 3]


@pytest.mark.parametrize("weights,n,replacement,match", [
    ([1.0, 1.0], 3, False, "cannot sample n_sample > prob_dist.size"),
    ([-1.0, 1.0], 1, False, "probability tensor contains"),
    ([0.0, 0.0], 1, False, "sum of probabilities <= 0"),
    ([0.0, 1.0], 2, False, "not enough non-negative category"),
    ([[[1.0]]], 1, True, "prob_dist must be 1 or 2 dim")])
def test_multinomial_errors(weights, n, replacement, match):
    with pytest.raises(RuntimeError, match=match):
        ember.multinomial(ember.tensor(weights), n, replacement)


def test_like_forms_keep_shape_and_dtype():
    x = ember.zeros(2, 3, dtype=ember.float64)
    assert ember.rand_like(x).dtype is ember.float64 and ember.rand_like(x).shape == (2, 3)
    assert ember.randn_like(x).shape == (2, 3)
    r = ember.randint_like(ember.zeros(4, dtype=ember.int32), 3)
    assert r.dtype is ember.int32 and (r.numpy() < 3).all()


def test_poisson_rates():
    ember.manual_seed(0)
    assert abs(ember.poisson(ember.full((5000,), 4.0)).numpy().mean() - 4) < 0.1
