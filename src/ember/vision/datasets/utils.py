"""Downloading, checking and unpacking dataset files (standard library only)."""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
from typing import Sequence

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "extract_archive",
           "download_and_extract_archive", "fetch_resources"]

_USER_AGENT = "ember-vision"
_TIMEOUT = 30  # seconds per connection attempt


def calculate_md5(fpath: str, chunk_size: int = 1024 * 1024) -> str:
    """The hex MD5 digest of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str, md5: str) -> bool:
    """Whether the file's MD5 digest is ``md5``."""
    return md5 == calculate_md5(fpath)


def check_integrity(fpath: str, md5: str | None = None) -> bool:
    """Whether the file exists and (when ``md5`` is given) has that digest."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def download_url(url: str, root: str, filename: str | None = None,
                 md5: str | None = None) -> str:
    """Fetch ``url`` into ``root/filename`` unless a file with the right MD5 is there; returns
    the path. Raises RuntimeError when the download fails or the digest is wrong."""
    root = os.path.expanduser(root)
    fpath = os.path.join(root, filename or os.path.basename(url))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return fpath
    tmp = fpath + ".part"
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response, \
                open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise RuntimeError(f"Error downloading {url}: {e}") from e
    os.replace(tmp, fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError(f"File {fpath} downloaded from {url} is corrupted (MD5 mismatch)")
    return fpath


def _gunzip(src: str, dst: str) -> None:
    with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)


def extract_archive(from_path: str, to_path: str | None = None,
                    remove_finished: bool = False) -> str:
    """Unpack a .tar(.gz/.bz2/.xz), .tgz, .zip or single-file .gz archive; returns the folder
    (or, for .gz, the file) written."""
    to_path = to_path or os.path.dirname(from_path)
    name = from_path.lower()
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
        with tarfile.open(from_path) as tar:
            tar.extractall(to_path, filter="data")
        out = to_path
    elif name.endswith(".zip"):
        with zipfile.ZipFile(from_path) as z:
            z.extractall(to_path)
        out = to_path
    elif name.endswith(".gz"):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        _gunzip(from_path, out)
    else:
        raise RuntimeError(f"Archive type of {from_path} is not supported")
    if remove_finished:
        os.remove(from_path)
    return out


def download_and_extract_archive(url: str, download_root: str, extract_root: str | None = None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    """``download_url`` then ``extract_archive``."""
    path = download_url(url, download_root, filename, md5)
    extract_archive(path, extract_root or download_root, remove_finished)


def fetch_resources(mirrors: Sequence[str], resources: Sequence[tuple], folder: str,
                    extract: bool = True) -> None:
    """Download each ``(filename, md5)`` from the first mirror that serves it into ``folder``
    (unpacking archives). Offline, the error says which files to put where by hand."""
    missing = []
    for filename, md5 in resources:
        for mirror in mirrors:
            try:
                path = download_url(mirror + filename, folder, filename, md5)
            except RuntimeError:
                continue
            if extract:
                extract_archive(path, folder)
            break
        else:
            missing.append(filename)
    if missing:
        sources = ", ".join(mirrors)
        raise RuntimeError(f"Could not download {', '.join(missing)} from {sources}. Without "
                           f"network access, download these files elsewhere and put them in "
                           f"{os.path.abspath(folder)} (compressed or unpacked), then load the "
                           f"dataset with download=False.")
