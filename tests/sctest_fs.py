"""`sctest://PATH`: a test filesystem that is not the plain local one, shared by processes.

fsspec's `memory://` lives in one process, so Dask worker processes cannot share it. This is
fsspec's `DirFileSystem` over the folder named by $SCRAPECLEAN_TEST_FS_ROOT, under a protocol
of its own, so scrapeclean treats it as it treats any filesystem it does not know (sftp, hdfs,
...): listed through fsspec, pages copied to the worker, outputs uploaded under a temporary
name and renamed. Every process finds it through the `fsspec.specs` entry point that
`test_dask_fsspec.py` declares in a `.dist-info` folder on PYTHONPATH, as an installed fsspec
plug-in would."""
from __future__ import annotations

import os

from fsspec.implementations.dirfs import DirFileSystem
from fsspec.implementations.local import LocalFileSystem


class SharedTestFileSystem(DirFileSystem):
    protocol = "sctest"

    def __init__(self, *args, **kwargs):
        super().__init__(path=os.environ["SCRAPECLEAN_TEST_FS_ROOT"], fs=LocalFileSystem())
