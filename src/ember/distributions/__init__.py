"""torch.distributions: parameterised probability distributions, transforms between
constrained spaces and KL divergences, with sampling drawn from ember's generator.

Gamma, Beta, Dirichlet (and the distributions built on them) draw with NumPy's gamma sampler,
so their streams differ from PyTorch's; the rest draw exactly as PyTorch does.
"""
from . import constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .chi2 import Chi2
from .constraint_registry import biject_to, transform_to
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .half_cauchy import HalfCauchy
from .geometric import Geometric
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .pareto import Pareto
from .poisson import Poisson
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .studentT import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .uniform import Uniform
from .weibull import Weibull

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet",
    "Distribution", "Exponential", "ExponentialFamily", "Gamma", "Geometric", "HalfNormal",
    "Independent", "Laplace", "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "RelaxedBernoulli", "RelaxedOneHotCategorical",
    "StudentT", "Poisson", "Uniform", "TransformedDistribution", "biject_to", "kl_divergence",
    "register_kl", "transform_to", "Gumbel", "HalfCauchy", "MixtureSameFamily", "Multinomial",
    "NegativeBinomial", "Pareto", "Weibull",
] + transforms.__all__


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .._left_out import missing_in_module
    raise missing_in_module("torch.distributions", __name__, name)
