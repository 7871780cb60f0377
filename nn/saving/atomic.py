"""Writing a file so that a crash never leaves a half-written or stray file.

``atomic_write(path, chunks)`` writes the bytes to a new file in the target's
folder, flushes and fsyncs it, then renames it over the target in one step:
readers see the old file or the new one, never a mix.

- On Linux the new file is created *unnamed* (``O_TMPFILE``) and gets a name
  only when it is complete, just before the rename. A process killed while
  writing (even by SIGKILL, which no ``finally`` survives) leaves nothing behind.
- Elsewhere (or where the file system refuses ``O_TMPFILE``) the temporary file
  is named ``.<target name>.<pid>.<random>.tmp``. If the process is killed, the
  next save to the same folder removes such files whose process is gone.
- Only a regular file (or nothing) at the path is replaced: a folder, FIFO,
  device node or socket is refused, so ``save("/dev/null")`` cannot replace the
  device. The replaced file keeps its permission bits (and, when root saves
  over another user's file, its owner).
- Errors name the path you gave and say what to do, never the temporary name.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def atomic_write(path: str | os.PathLike, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``path`` atomically (see the module docstring).

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> atomic_write(os.path.join(folder, "a.bin"), [b"hello ", b"world"])
    >>> open(os.path.join(folder, "a.bin"), "rb").read(), os.listdir(folder)
    (b'hello world', ['a.bin'])
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    _check_folder(path, directory)
    existing = _check_target(path)
    dir_fd = _open_folder(path, directory)
    try:
        remove_stale_temporaries(dir_fd, name)
        _write_and_replace(path, directory, dir_fd, name, chunks, existing)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        except OSError:
            pass
    finally:
        os.close(dir_fd)


# ---------------------------------------------------------------------- checks


def _check_folder(path: str, directory: str) -> None:
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Cannot save to {path!r}: the folder {directory!r} does not exist. Create it "
            "first (os.makedirs(folder, exist_ok=True)).") from None
    except PermissionError:
        raise PermissionError(
            f"Cannot save to {path!r}: permission denied while looking up the folder "
            f"{directory!r} (a folder on the way cannot be entered by this user). Check "
            "the folders' permissions, or save somewhere you can write.") from None
    except NotADirectoryError:
        raise NotADirectoryError(
            f"Cannot save to {path!r}: part of the folder {directory!r} is a file, not a "
            "folder.") from None
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(
            f"Cannot save to {path!r}: {directory!r} is a file, not a folder.")


def _check_target(path: str) -> os.stat_result | None:
    """The stat of the regular file at ``path`` (None if nothing is there); refuse
    anything else, since renaming over it would replace it with a regular file."""
    try:
        info = os.stat(path)  # follows a symlink: a link to /dev/null is refused too
    except FileNotFoundError:
        return None
    except PermissionError:
        raise PermissionError(
            f"Cannot save to {path!r}: permission denied while looking it up.",
            path) from None
    if stat.S_ISREG(info.st_mode):
        return info
    kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
    hint = (f" Give a file name inside it, e.g. {os.path.join(path, 'model.gradstack')!r}."
            if stat.S_ISDIR(info.st_mode) else " Choose another path.")
    raise ValueError(
        f"Cannot save to {path!r}: it is {kind}, and saving only ever replaces a regular "
        f"file (it would have turned {kind} into a regular file).{hint}")


def _open_folder(path: str, directory: str) -> int:
    try:
        return os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except PermissionError:
        raise PermissionError(
            f"Cannot save to {path!r}: no permission to open the folder {directory!r}.",
            path) from None


def _no_permission(path: str, directory: str) -> PermissionError:
    return PermissionError(
        f"Cannot save to {path!r}: no permission to create files in the folder "
        f"{directory!r} (a save writes a new file there and moves it over the old one, so it "
        "needs write permission on the folder, not only on the file). Save somewhere you can "
        "write, or change the folder's permissions.")


# ---------------------------------------------------------------------- writing


def _write_and_replace(path: str, directory: str, dir_fd: int, name: str,
                       chunks: Iterable[bytes], existing: os.stat_result | None) -> None:
    try:
        fd = _open_unnamed(dir_fd)
        tmp = None
        if fd is None:
            tmp = temporary_name(name)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=dir_fd)
    except PermissionError:
        raise _no_permission(path, directory) from None
    try:
        try:
            with os.fdopen(fd, "wb", closefd=False) as f:
                for chunk in chunks:
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            _copy_mode(fd, existing)
            if tmp is None:  # name the finished file, then move it into place
                tmp = temporary_name(name)
                os.link(f"/proc/self/fd/{fd}", tmp, src_dir_fd=dir_fd, dst_dir_fd=dir_fd,
                        follow_symlinks=True)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as err:  # including KeyboardInterrupt: never leave a file behind
        if tmp is not None:
            try:
                os.unlink(tmp, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
        if isinstance(err, PermissionError):
            raise _no_permission(path, directory) from None
        raise


def _open_unnamed(dir_fd: int) -> int | None:
    """An unnamed file in the folder (Linux ``O_TMPFILE``), or None where the system
    or file system does not offer one, or cannot give it a name later (no /proc)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(".", flag | os.O_WRONLY, 0o600, dir_fd=dir_fd)
    except PermissionError:
        raise
    except OSError:  # EOPNOTSUPP, EISDIR (old kernels), EINVAL ...
        return None


def _copy_mode(fd: int, existing: os.stat_result | None) -> None:
    if existing is None:
        os.fchmod(fd, 0o666 & ~_umask())  # what open() would have given a new file
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        try:  # only root may; a user re-saving a shared file becomes its owner
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------- temporaries


def temporary_name(name: str) -> str:
    """``.<name>.<pid>.<random>.tmp``: hidden, and tells whose it is."""
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def remove_stale_temporaries(dir_fd: int, name: str) -> list[str]:
    """Remove the temporaries of saves to ``name`` whose process is gone (killed
    mid-save); returns their names. Files of live processes are left alone."""
    prefix = f".{name}."
    removed = []
    try:
        entries = os.listdir(dir_fd)
    except OSError:
        return removed
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        parts = entry[len(prefix):-len(".tmp")].split(".")
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 8:
            continue  # not a name temporary_name() makes
        if _process_alive(int(parts[0])):
            continue
        try:
            os.unlink(entry, dir_fd=dir_fd)
            removed.append(entry)
        except OSError:
            pass
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # (on Windows os.kill(pid, 0) kills)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or cannot tell: leave its file alone
    return True
