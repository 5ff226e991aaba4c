"""`bmcsim image`: write a firmware image file the simulator accepts (docs/simulator.md "Firmware update").

The header is the one `firmware.Image.parse` reads; the payload is zeros, written in chunks, so an image of
hundreds of MiB costs no memory. `--corrupt` damages the header as a bad download would: the BMC's Verify
task (or the X11 legacy Upload) rejects the image and nothing changes. Prints `<sha256>  <file>` (sha256sum
format) for the baseline's `bmc_target` / `bios_target`.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re

from .firmware import make_image

CHUNK = 1 << 20


def write_image(path: str, component: str, generation: str, version: str, date: str = "2024-10-01",
                size: int = 4096, corrupt: bool = False) -> str:
    """Write the image to `path` (atomically); returns its SHA-256 (hex)."""
    header = make_image(component, generation, version, date, size=0)
    if corrupt:     # a flipped byte in the magic: no longer an SMCFW image
        header = b"SMCFX" + header[5:]
    digest = hashlib.sha256()
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as out:
        for chunk in [header] + [bytes(min(CHUNK, size - done)) for done in range(0, size, CHUNK)]:
            out.write(chunk)
            digest.update(chunk)
    os.replace(tmp, path)
    return digest.hexdigest()


def size_arg(value: str) -> int:
    """Bytes, or with a K/M/G suffix (powers of 1024): 4096, 1M, 256M."""
    m = re.fullmatch(r"(\d+)([KMG]?)", value.strip().upper())
    if not m:
        raise argparse.ArgumentTypeError("expected a size like 4096, 1M or 256M")
    return int(m.group(1)) * 1024 ** " KMG".index(m.group(2) or " ")


def date_arg(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        raise argparse.ArgumentTypeError("expected YYYY-MM-DD")
    return value


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bmcsim image", description="write a simulated Supermicro firmware image")
    p.add_argument("--component", choices=["BMC", "BIOS"], required=True)
    p.add_argument("--generation", choices=["x11", "x12", "x13"], required=True)
    p.add_argument("--version", required=True, help="BMC NN.NN.NN (01.06.10), BIOS X.Y (2.3)")
    p.add_argument("--date", type=date_arg, default="2024-10-01", help="release date YYYY-MM-DD")
    p.add_argument("--size", type=size_arg, default=4096, help="payload size: 4096, 1M, 256M (default 4096)")
    p.add_argument("--corrupt", action="store_true", help="an image the BMC's verification rejects")
    p.add_argument("--out", required=True, help="file to write (name it as Supermicro does, e.g. "
                                                "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin)")
    args = p.parse_args(argv)
    if not re.fullmatch(r"\d+(\.\d+)+[a-z]?", args.version):
        p.error("--version: expected a version like 01.06.10 or 2.3")
    digest = write_image(args.out, args.component, args.generation, args.version, args.date, args.size, args.corrupt)
    print(f"{digest}  {args.out}")
    return 0
