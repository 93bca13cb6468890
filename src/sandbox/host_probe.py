# Where the host interpreter and its pip really are, printed as JSON (see host-python.ts).
import json, os, sys
import pip

print(json.dumps({
    "executable": os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
    "prefix": os.path.realpath(sys.base_prefix),
    "exec_prefix": os.path.realpath(sys.base_exec_prefix),
    "version": "%d.%d" % sys.version_info[:2],
    "full_version": "%d.%d.%d" % sys.version_info[:3],
    "pip": pip.__version__,
    "pip_runner": os.path.join(os.path.dirname(os.path.realpath(pip.__file__)), "__pip-runner__.py"),
}))
