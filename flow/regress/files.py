# SPDX-License-Identifier: Apache-2.0
"""Files the regression leaves for people: written whole, and readable as the umask allows.

A page or record is written to a temporary name beside it and renamed, so a
browser, a CI upload or a second reader never sees half a file. The
temporary file is created the way ``open()`` creates any file (mode 0666
less the umask), not with :func:`tempfile.mkstemp`'s private 0600: a
dashboard on a shared machine or served from a build folder must be
readable by the others the umask lets read it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` in one rename; the file's mode follows the umask."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    mode = "xb" if isinstance(data, bytes) else "x"
    try:
        with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
