"""Importing this module makes the process serve ``torch`` from ember, as ``ember.run`` does.

``ember.run`` has the children it starts through multiprocessing's spawn and forkserver
methods import it first, so a script's workers see the same ``torch`` as the script."""
import multiprocessing.forkserver as _forkserver
import multiprocessing.spawn as _spawn

from . import _naming, run

_PRELUDE = f"import {__name__}; "


def inherit() -> None:
    """Have spawned and forkserver children of this process import this module first."""
    original = _spawn.get_command_line
    if getattr(original, "_ember_alias", False):
        return

    def get_command_line(**kwds):
        cmd = original(**kwds)
        if "-c" in cmd:
            at = cmd.index("-c") + 1
            cmd[at] = _PRELUDE + cmd[at]
        return cmd

    get_command_line._ember_alias = True
    _spawn.get_command_line = get_command_line
    preload = list(getattr(_forkserver._forkserver, "_preload_modules", ["__main__"]))
    _forkserver.set_forkserver_preload([__name__] + [m for m in preload if m != __name__])


_naming.serve_as_torch()
run.install()
