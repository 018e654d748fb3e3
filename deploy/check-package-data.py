"""Image build check: every non-Python file in a project's package (templates, py.typed, ...) must have been
installed with it. A file left out of `[tool.setuptools.package-data]` is missing from the wheel, and so from
the image, though an editable install (make run) still finds it. This stops the build instead.

    python deploy/check-package-data.py shared billing-svc notify-svc ...
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def missing_files(project: Path) -> list[str]:
    missing = []
    for package_dir in sorted((project / "src").glob("*/__init__.py")):
        source = package_dir.parent
        spec = importlib.util.find_spec(source.name)
        if spec is None or spec.origin is None:
            missing.append(f"{source.name} (the package itself)")
            continue
        installed = Path(spec.origin).parent
        for path in sorted(source.rglob("*")):
            if path.is_dir() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(source)
            if not (installed / relative).exists():
                missing.append(f"{source.name}/{relative}")
    return missing


def main(projects: list[str]) -> int:
    failed = False
    for project in projects:
        missing = missing_files(Path(project))
        if missing:
            failed = True
            print(f"{project}: not installed (add to [tool.setuptools.package-data] in {project}/pyproject.toml):")
            for name in missing[:10]:
                print(f"  {name}")
            if len(missing) > 10:
                print(f"  ... and {len(missing) - 10} more")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
