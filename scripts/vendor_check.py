"""Verify every vendored file against its pinned sha256; exit 1 on any mismatch or missing file."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a plain script (`python scripts/vendor_check.py`), so the project root is not on sys.path yet.
sys.path.insert(0, str(ROOT))

from app.vendor_checksums import ChecksumError, manifest_problems  # noqa: E402

MANIFESTS = (ROOT / "vendor" / "checksums.sha256", ROOT / "static" / "vendor" / "checksums.sha256")
OPTIONAL = {ROOT / "static" / "vendor" / "checksums.sha256"}


def manifest_report(*, manifest: Path) -> list[str]:
    """Problems of one manifest, including the manifest itself being absent or malformed."""
    if not manifest.is_file():
        return [] if manifest in OPTIONAL else [f"{manifest}: manifest missing"]
    try:
        return manifest_problems(manifest=manifest)
    except ChecksumError as exc:
        return [str(exc)]


def main() -> int:
    """Check all manifests and print one line per problem."""
    problems = [problem for manifest in MANIFESTS for problem in manifest_report(manifest=manifest)]
    for problem in problems:
        print(f"vendor check FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("vendor check ok: " + ", ".join(str(m.relative_to(ROOT)) for m in MANIFESTS if m.is_file()))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
