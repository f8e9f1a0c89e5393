"""Check vendored files against `sha256sum`-style manifests (paths relative to the manifest)."""

import hashlib
from pathlib import Path


class ChecksumError(Exception):
    """A vendored file is missing or does not match its pinned checksum."""


def file_sha256(*, path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_read(*, manifest: Path) -> dict[Path, str]:
    """Map each listed file (resolved next to the manifest) to its expected sha256."""
    entries: dict[Path, str] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            raise ChecksumError(f"{manifest}: malformed line {line!r}")
        expected, name = parts
        # sha256sum writes "*name" in binary mode.
        entries[manifest.parent / name.lstrip("*")] = expected.lower()
    return entries


def entry_problem(*, path: Path, expected: str) -> str | None:
    """Why `path` fails its pinned checksum, or None when it matches."""
    if not path.is_file():
        return f"{path}: missing"
    actual = file_sha256(path=path)
    if actual != expected:
        return f"{path}: sha256 {actual} does not match pinned {expected}"
    return None


def manifest_problems(*, manifest: Path) -> list[str]:
    """Every mismatch or missing file listed in `manifest`."""
    found = (entry_problem(path=path, expected=sha) for path, sha in manifest_read(manifest=manifest).items())
    return [problem for problem in found if problem]


def file_verify(*, path: Path, manifest: Path) -> None:
    """Raise ChecksumError unless `path` is listed in `manifest` and matches it."""
    pinned = {listed.resolve(): sha for listed, sha in manifest_read(manifest=manifest).items()}
    expected = pinned.get(path.resolve())
    if expected is None:
        raise ChecksumError(f"{path.name} is not listed in {manifest}")
    problem = entry_problem(path=path, expected=expected)
    if problem:
        raise ChecksumError(problem)
