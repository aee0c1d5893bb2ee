"""The one error type stages report, and the wrapper that turns it into a one-line exit."""

import functools
import signal
import sys


class StageError(Exception):
    """A problem with the user's input (params, data files, network) that a stage cannot fix.

    The message is one line that names the key or the file.
    """


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that half-written outputs are cleaned up."""


def _raise_terminated(signum, frame):
    raise Terminated()


def stage_main(fn):
    """Decorate a stage's ``main``: a :class:`StageError` becomes ``error: …`` on stderr, exit 2.

    SIGINT and SIGTERM unwind the stage (temporary outputs are removed) and exit 130 or 143.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            return fn(*args, **kwargs)
        except StageError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        except KeyboardInterrupt:
            print("error: interrupted (SIGINT); unfinished outputs were discarded", file=sys.stderr, flush=True)
            raise SystemExit(130) from None
        except Terminated:
            print("error: terminated (SIGTERM); unfinished outputs were discarded", file=sys.stderr, flush=True)
            raise SystemExit(143) from None

    return wrapper
