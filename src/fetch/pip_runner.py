# Runs pip's own __pip-runner__.py, first making pip copy each archive it is about to unpack.
# argv: this file, the path of __pip-runner__.py, the directory for the copies, then pip's arguments.
import os, runpy, shutil, sys
RUNNER, COPIES = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.dirname(RUNNER)))
from pip._internal.operations import prepare
sys.path.pop(0)
_unpack_file = prepare.unpack_file
def unpack_file(filename, location, *args, **kwargs):
    shutil.copyfile(filename, os.path.join(COPIES, os.path.basename(filename)))
    return _unpack_file(filename, location, *args, **kwargs)
prepare.unpack_file = unpack_file
sys.argv[:3] = [RUNNER]
runpy.run_path(RUNNER, run_name='__main__')
