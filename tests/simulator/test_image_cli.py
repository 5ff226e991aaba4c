"""`bmcsim image` writes images the simulator's firmware parser accepts (or, with --corrupt, rejects)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bmcsim.firmware import Image

BMCSIM = Path(sys.executable).with_name("bmcsim")


def bmcsim_image(*args):
    return subprocess.run([str(BMCSIM), "image", *args], capture_output=True, text=True)


def test_image_is_accepted_and_sha256_printed(tmp_path):
    out = tmp_path / "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin"
    run = bmcsim_image("--component", "BMC", "--generation", "x13", "--version", "01.06.10", "--date", "2024-10-01",
                       "--size", "1M", "--out", str(out))
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    assert run.stdout == f"{hashlib.sha256(data).hexdigest()}  {out}\n"
    assert len(data) > 1024 * 1024
    image = Image.parse(data, out.name)
    assert (image.component, image.generation, image.version, image.date) == ("BMC", "x13", "01.06.10", "2024-10-01")
    assert image.filename == out.name


def test_bios_image_inventory_version(tmp_path):
    out = tmp_path / "bios.bin"
    assert bmcsim_image("--component", "BIOS", "--generation", "x11", "--version", "3.9", "--date", "2025-02-03",
                        "--out", str(out)).returncode == 0
    assert Image.parse(out.read_bytes(), None).inventory_version == "BIOS Date: 02/03/2025 Ver 3.9"


def test_corrupt_image_is_rejected_by_the_parser(tmp_path):
    out = tmp_path / "bad.bin"
    assert bmcsim_image("--component", "BMC", "--generation", "x12", "--version", "01.05.01", "--corrupt",
                        "--out", str(out)).returncode == 0
    assert Image.parse(out.read_bytes(), out.name) is None


def test_bad_arguments_name_the_option(tmp_path):
    run = bmcsim_image("--component", "BMC", "--generation", "x13", "--version", "latest", "--out", str(tmp_path / "x"))
    assert run.returncode == 2 and "--version" in run.stderr
    run = bmcsim_image("--component", "CPLD", "--generation", "x13", "--version", "1.0", "--out", str(tmp_path / "x"))
    assert run.returncode == 2 and "--component" in run.stderr
    assert not (tmp_path / "x").exists()
