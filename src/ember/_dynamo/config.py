"""Settings of torch.compile's capture (``torch._dynamo.config``)."""

cache_size_limit = 8  # programs kept per compiled callable before it runs eagerly
recompile_limit = cache_size_limit
suppress_errors = False
verbose = False
