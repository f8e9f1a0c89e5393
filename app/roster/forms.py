"""The upload: streamed to a temporary file, at most one chunk past the size limit."""

import tempfile
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile

CHUNK = 1 << 20


async def upload_to_file(request: Request, *, name: str, directory: Path, max_bytes: int) -> tuple[str, Path] | None:
    """(the name the device gave, a temporary file holding the upload) or None when no file was chosen; a file over
    the limit is cut one chunk past it (the service then refuses it by size)."""
    form = await request.form()
    item = form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=False) as out:
        written = 0
        while chunk := await item.read(CHUNK):
            out.write(chunk)
            written += len(chunk)
            if written > max_bytes:
                break
    return item.filename, Path(out.name)
