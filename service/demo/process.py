"""The demo process: where torch and transformers run, apart from the web worker that serves SPARQL and /ask.

A model can crash its process (a segfault in a kernel, the kernel's OOM
killer) or run a forward pass past any deadline, and neither can be stopped
from inside the interpreter. So demos run here, one after the other, in a
child of the serving process that it kills at the deadline and starts again
when it dies; the web worker's own requests never wait on it. Loaded models
stay in a small LRU between demos.

Frames (:mod:`service.pipes`): the parent sends ``("run", fn)`` where ``fn``
is a picklable callable taking the :class:`ModelCache`; the reply is
``("ok", result, loads, keys)`` or ``("error", (status, message, code,
headers), loads, keys)``, so the parent always knows what is loaded.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from service.errors import ApiError
from service.pipes import exit_with_parent, receive, send

log = logging.getLogger("modelkg.demo")


class ModelCache:
    """The loaded models of this process, least recently used first, at most ``size`` of them."""

    def __init__(self, size: int) -> None:
        self.size = max(0, int(size))
        self.loads = 0
        self._models: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The model under ``key``, loading it (and dropping the least recently used) if needed."""
        if key in self._models:
            self._models.move_to_end(key)
            return self._models[key]
        value = load()
        self.loads += 1
        if self.size:
            self._models[key] = value
            while len(self._models) > self.size:
                self._models.popitem(last=False)
        return value

    def keys(self) -> list[Hashable]:
        return list(self._models)


def error_reply(cache: ModelCache, exc: ApiError) -> tuple:
    """The reply frame for a job that ended in ``exc``."""
    return ("error", (exc.status, exc.message, exc.code, exc.headers), cache.loads, cache.keys())


def run_one(cache: ModelCache, fn: Callable[[ModelCache], Any]) -> tuple:
    """Run one job and say how it went, as the reply frame (an unexpected failure is logged here)."""
    try:
        return ("ok", fn(cache), cache.loads, cache.keys())
    except ApiError as exc:
        return error_reply(cache, exc)
    except Exception as exc:  # the process must survive any model's failure
        log.exception("demo failed")
        message = f"The demo failed ({type(exc).__name__}); the service logged it."
        return error_reply(cache, ApiError(500, message, code="demo_failed"))


def _init_torch() -> None:
    """One torch thread (the web worker shares the cores), quiet transformers logging."""
    import torch
    import transformers

    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def main() -> None:
    cache_size = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    os.nice(10)  # below the web workers, level with query workers: a demo must not slow SPARQL or /ask
    exit_with_parent()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s demo[%(process)d] %(levelname)s %(message)s")
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    _init_torch()
    cache = ModelCache(cache_size)
    while True:
        try:
            _, fn = receive(inp)
        except EOFError:
            return
        except Exception as exc:  # a frame that does not unpickle here: say so, stay in step
            log.exception("unreadable demo job")
            message = f"The demo job could not be read ({type(exc).__name__})."
            send(out, error_reply(cache, ApiError(500, message, code="demo_failed")))
            continue
        send(out, run_one(cache, fn))


if __name__ == "__main__":
    main()
