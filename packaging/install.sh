#!/bin/sh
# Install gridreg from this folder alone, with no network: a virtual environment beside it,
# every package from the wheelhouse. Needs the Python the archive was built for (see README).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
"$python" -m venv "$here/venv"
"$here/venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheelhouse" gridreg
echo "installed: $here/venv/bin/gridreg"
echo "try:       $here/venv/bin/gridreg demo    (then open http://127.0.0.1:8000/console)"
