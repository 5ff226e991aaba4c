"""bmcsim installs on its own, for the collection's users' CI: its wheel is built from
simulator/ and runs from a fresh virtual environment that has nothing of this checkout.

To stay fast and offline the wheel is built without build isolation (the venv's setuptools) and
installed with --no-deps; its dependencies (aiohttp, cryptography, PyYAML) come from this venv's
site-packages through a .pth line, which adds no bmcsim: this checkout's editable bmcsim is only
reachable through the venv's own .pth hooks, which Python does not process for added paths."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bmcsim_wheel_installs_and_runs_in_a_fresh_venv(tmp_path):
    project = tomllib.loads((ROOT / "simulator" / "pyproject.toml").read_text())["project"]
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "simulator"
    shutil.copytree(ROOT / "simulator", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "dist"), str(source)], check=True, capture_output=True, cwd=tmp_path)
    wheel = tmp_path / "dist" / ("bmcsim-%s-py3-none-any.whl" % project["version"])
    sources = sorted(p.relative_to(ROOT / "simulator").as_posix()
                     for p in (ROOT / "simulator" / "bmcsim").rglob("*.py"))
    with zipfile.ZipFile(wheel) as archive:
        packaged = sorted(n for n in archive.namelist() if n.endswith(".py"))
        entry_points = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("entry_points.txt"))
    assert packaged == sources  # every module, the profiles and handlers included
    assert "bmcsim = bmcsim.cli:main" in entry_points

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True, capture_output=True, cwd=tmp_path)
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = subprocess.run([python, "-c", "import bmcsim; print(bmcsim.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(target), where
    done = subprocess.run([target / "bin" / "bmcsim", "--help"], capture_output=True, text=True, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "--profile" in done.stdout and "--count" in done.stdout
