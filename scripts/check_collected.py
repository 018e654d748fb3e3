"""Fail when a folder that holds test files has no test pytest collects (issue 12 item 7): a renamed conftest, a
module name clash or a typo in `testpaths` would otherwise let a whole folder of tests stop running unnoticed.

Usage: python scripts/check_collected.py  (from the repository root; `make test` runs it before pytest)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "node_modules", ".git", "build", "dist"}


def folders_with_tests() -> set[Path]:
    found = set()
    for path in ROOT.rglob("test_*.py"):
        relative = path.relative_to(ROOT)
        if not SKIP.intersection(relative.parts):
            found.add(relative.parent)
    return found


def collected_folders() -> set[Path]:
    answer = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    if answer.returncode not in (0, 5):
        sys.stdout.write(answer.stdout[-4000:] + answer.stderr[-4000:])
        raise SystemExit(f"check_collected: pytest could not collect (exit {answer.returncode})")
    return {Path(line.split("::", 1)[0]).parent for line in answer.stdout.splitlines() if "::" in line}


def main() -> int:
    empty = sorted(str(folder) for folder in folders_with_tests() - collected_folders())
    if empty:
        print("check_collected: these folders hold test files but pytest collected no test in them:")
        print("\n".join(f"  {folder}" for folder in empty))
        return 1
    print("check_collected: every folder with test files has collected tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
