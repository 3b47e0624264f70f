"""Frames between a serving process and the child processes it runs work in.

Query evaluation and model demos run in children the serving process can kill
(at a deadline, or after a crash it could not otherwise survive). Both talk
over the child's stdin and stdout in length-prefixed pickles: the two ends
of each pipe are this project's own code, never a client.
"""

from __future__ import annotations

import os
import pickle
import struct
import threading
import time
from typing import Any, BinaryIO

HEADER = struct.Struct("!I")


def send(stream: BinaryIO, message: Any) -> None:
    """Write one frame and flush it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """Read one frame; EOFError when the other end has gone."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError
    (size,) = HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def exit_with_parent() -> None:
    """Exit this child when its serving process dies (even mid-job): an orphan must not run on."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
