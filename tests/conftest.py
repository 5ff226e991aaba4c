"""For every test folder: the project root is the collection bmclock.supermicro, so its plugins
import as ansible_collections.bmclock.supermicro.* from playbooks/collections (the same symlink
Ansible uses). bmcsim is installed in the venv by `make setup`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "playbooks" / "collections"))
