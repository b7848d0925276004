"""``torch.hub``: the local cache of downloaded checkpoints and hub repositories.

ember never reaches the network. A file that is not in the cache makes the call fail at once
with an error that names the file, where it comes from and the directory to put it in.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import sys
from urllib.parse import urlparse

__all__ = ["get_dir", "set_dir", "download_url_to_file", "load_state_dict_from_url",
           "list", "help", "load"]

_builtin_list = list
# the hash prefix torchvision puts in its file names: "resnet18-f37072fd.pth"
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_hub_dir: str | None = None


def _get_torch_home() -> str:
    default = os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch")
    return os.path.expanduser(os.getenv("TORCH_HOME", default))


def get_dir() -> str:
    """The hub cache directory: set_dir's choice, else $TORCH_HOME/hub (~/.cache/torch/hub)."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d) -> None:
    """Use ``d`` as the hub cache directory from now on."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_hash(path: str, hash_prefix: str) -> None:
    digest = _sha256(path)
    if not digest.startswith(hash_prefix):
        raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}") '
                           f"for {path}")


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None,
                         progress: bool = True) -> None:
    """Copy ``url`` to ``dst``. Only ``file://`` URLs are served (no network access);
    any other URL fails at once, saying where to put the file by hand."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise RuntimeError(
            f"ember does not download files: {url} is not available offline. Download it "
            f"elsewhere and save it as {dst} (directory {os.path.dirname(dst) or '.'}).")
    src = parsed.path
    if not os.path.isfile(src):
        raise RuntimeError(f"cannot copy {url}: no such file {src}")
    tmp = dst + ".partial"
    shutil.copyfile(src, tmp)
    try:
        if hash_prefix is not None:
            _check_hash(tmp, hash_prefix)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None, weights_only: bool = False):
    """Load the checkpoint ``url`` names from ``model_dir`` (default get_dir()/checkpoints),
    under the URL's file name; with ``check_hash`` the file's SHA-256 must start with the
    hex digits after the last '-' of its name. A missing file fails at once."""
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    match = HASH_REGEX.search(filename) if check_hash else None
    hash_prefix = match.group(1) if match else None
    if not os.path.exists(cached_file):
        if urlparse(url).scheme != "file":
            raise RuntimeError(
                f"the file {filename} is not in the checkpoint cache and ember does not "
                f"download: fetch {url} on a machine with network access and put it in "
                f"{model_dir} (set TORCH_HOME to use another cache directory)")
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    elif hash_prefix is not None:
        _check_hash(cached_file, hash_prefix)
    from .serialization import load
    return load(cached_file, map_location=map_location, weights_only=weights_only)


def _repo_dir(github: str) -> str:
    """The cached checkout of 'owner/name[:ref]' under get_dir(), or a RuntimeError."""
    repo, _, ref = github.partition(":")
    owner, _, name = repo.partition("/")
    if not owner or not name:
        raise ValueError(f'Invalid input: repo_or_dir should be of the form '
                         f'"repo_owner/repo_name[:ref]", got {github}')
    refs = [ref] if ref else ["main", "master"]
    candidates = [os.path.join(get_dir(), f"{owner}_{name}_{r}") for r in refs]
    for path in candidates:
        if os.path.isdir(path):
            return path
    raise RuntimeError(
        f"the hub repository {github} is not in the cache and ember does not download: "
        f"clone https://github.com/{repo} (ref {refs[0]}) on a machine with network access "
        f"into {candidates[0]}, or use source='local'")


def _hubconf(repo_or_dir: str, source: str):
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    path = repo_or_dir if source == "local" else _repo_dir(repo_or_dir)
    conf = os.path.join(path, "hubconf.py")
    if not os.path.isfile(conf):
        raise FileNotFoundError(f"Cannot find hubconf.py in {path}")
    spec = importlib.util.spec_from_file_location("hubconf", conf)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(path)
    return module


def _entrypoint(module, model: str):
    fn = getattr(module, model, None)
    if fn is None or not callable(fn):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return fn


def list(github: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo=None, verbose: bool = True) -> _builtin_list:
    """Names of the entrypoints the cached repository's hubconf.py offers."""
    module = _hubconf(github, "github")
    return [n for n in dir(module) if callable(getattr(module, n)) and not n.startswith("_")]


def help(github: str, model: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo=None) -> str:
    """The docstring of entrypoint ``model`` of a cached repository."""
    return _entrypoint(_hubconf(github, "github"), model).__doc__


def load(repo_or_dir: str, model: str, *args, source: str = "github", trust_repo=None,
         force_reload: bool = False, verbose: bool = True, skip_validation: bool = False,
         **kwargs):
    """Call entrypoint ``model`` of hubconf.py in a local directory (``source='local'``)
    or in a cached GitHub checkout, with ``args`` and ``kwargs``."""
    return _entrypoint(_hubconf(os.path.expanduser(repo_or_dir), source), model)(*args, **kwargs)
