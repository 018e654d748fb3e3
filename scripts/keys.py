"""Make the gateway's Ed25519 JWT key pair if it is missing (never overwrites one).

python scripts/keys.py               # .run/keys/jwt-private.pem and jwt-public.pem
python scripts/keys.py --dir /keys   # elsewhere (the docker compose `keys` job)
python scripts/keys.py --private-dir /keys/private --public-dir /keys/public
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from _services import KEYS_DIR

from abono.auth import generate_keypair


def ensure_keys(private_path: Path, public_path: Path) -> bool:
    """True if a new pair was written."""
    if private_path.exists() and public_path.exists():
        return False
    if private_path.exists() != public_path.exists():
        sys.exit(f"only one of {private_path} and {public_path} exists: remove it to make a new pair")
    private_pem, public_pem = generate_keypair()
    for path in (private_path, public_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private_pem)
    public_path.write_text(public_pem)
    public_path.chmod(0o644)
    return True


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=KEYS_DIR, help="folder for both files (default .run/keys)")
    parser.add_argument("--private-dir", type=Path, help="folder for jwt-private.pem (overrides --dir)")
    parser.add_argument("--public-dir", type=Path, help="folder for jwt-public.pem (overrides --dir)")
    args = parser.parse_args()
    private_path = (args.private_dir or args.dir) / "jwt-private.pem"
    public_path = (args.public_dir or args.dir) / "jwt-public.pem"
    shown = ", ".join(_rel(p) for p in (private_path, public_path))
    if ensure_keys(private_path, public_path):
        print(f"keys: made a new Ed25519 pair: {shown}")
    else:
        print(f"keys: kept the existing pair: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
