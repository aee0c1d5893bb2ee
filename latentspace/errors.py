"""The one error type stages report, and the wrapper that turns it into a one-line exit."""

import functools
import sys


class StageError(Exception):
    """A problem with the user's input (params, data files, network) that a stage cannot fix.

    The message is one line that names the key or the file.
    """


def stage_main(fn):
    """Decorate a stage's ``main``: a :class:`StageError` becomes ``error: …`` on stderr, exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StageError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        except KeyboardInterrupt:
            print("error: interrupted; no output was written", file=sys.stderr, flush=True)
            raise SystemExit(130) from None

    return wrapper
