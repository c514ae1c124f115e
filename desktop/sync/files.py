"""Files written to a USB stick or a shared folder: whole or not at all.

The bytes go to ``<name>.partial``, are flushed to the device and renamed over the target; if
anything fails on the way (a full stick, a pulled stick), the partial file is removed and the
target is untouched. The operating system's error becomes a ``UserError`` a clerk can act on
(``file_error``): a full stick, a write-protected one, one pulled out, a file another program
holds open, one over FAT32's 4 GiB. Both live in ``desktop.storage.disks``, shared with every
file the app writes (documents, registers, key slips); kept here under their old names.
"""

from __future__ import annotations

from desktop.storage.disks import file_error, write_file

__all__ = ["file_error", "write_atomically"]


write_atomically = write_file
