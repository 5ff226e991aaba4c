"""Stand-in for ansible-test's get-pip bootstrap script, which it downloads from a host these
machines cannot reach. scripts/collection-check copies it to ~/.ansible/test/cache/get_pip_<version>.py.

ansible-test runs it in a new virtual environment without pip, with pip's install arguments (the
pinned pip, e.g. pip==25.3) plus get-pip's own --no-setuptools/--no-wheel. It bootstraps pip from
the standard library (ensurepip, no network), then installs the pinned packages from PyPI."""

import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
install = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *install], check=False).returncode)
