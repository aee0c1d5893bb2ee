"""What every stage script shares: its command line (paths come from dvc.yaml) and the wrapper that
turns a :class:`latentspace.errors.StageError` into a one-line exit and makes its outputs appear together."""

import argparse
import functools
import signal
import sys

from .errors import StageError
from .outputs import together


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that half-written outputs are cleaned up."""


def _raise_terminated(signum, frame):
    raise Terminated()


def stage_main(fn):
    """Decorate a stage's ``main``: a :class:`StageError` becomes ``error: …`` on stderr, exit 2.

    The stage's outputs appear together when it returns (:func:`latentspace.outputs.together`).
    SIGINT and SIGTERM unwind the stage (temporary outputs are removed) and exit 130 or 143.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            with together():
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


def arguments(doc: str, *names: str, lists: tuple[str, ...] = ()) -> argparse.Namespace:
    """Parse a stage's command line: ``name`` is positional, ``--name`` a required option (a path).

    Options in ``lists`` take one or more values. ``doc``'s first line is the ``--help`` text.
    """
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    for name in names:
        if name.startswith("--"):
            parser.add_argument(name, required=True, nargs="+" if name in lists else None)
        else:
            parser.add_argument(name, help="a model's section in params.yaml's models")
    return parser.parse_args()
