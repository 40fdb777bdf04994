"""free_threaded_factor: single-thread slowdown of free-threaded CPython (3.13t).

Not measurable on this machine: it needs a free-threaded build (python3.13t,
Py_GIL_DISABLED=1). This script records which interpreter ran and whether it has
a GIL, so results.json says so explicitly instead of leaving a gap.
"""
import shutil
import sys
import sysconfig

from common import emit

if __name__ == "__main__":
    gil_disabled = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    found = {n: shutil.which(n) for n in ("python3.13t", "python3.14t")}
    measurable = gil_disabled or any(found.values())
    emit("free_threaded_factor", {
        "measurable": measurable,
        "interpreter": sys.version, "Py_GIL_DISABLED": gil_disabled,
        "free_threaded_interpreters_on_path": found,
        "note": ("a free-threaded build exists; compare it by hand" if measurable
                 else "no free-threaded build here; figure not measured"),
    })
