"""What every stage script shares: its declaration (the files it reads and writes, the params it reads: dvc.yaml
is written from these by latentspace/tools/pipeline.py), its command line, and the wrapper that turns a
:class:`latentspace.core.errors.StageError` into a one-line exit and makes its outputs appear together."""

import argparse
import functools
import signal
import sys
from dataclasses import dataclass

from latentspace.core.errors import StageError
from latentspace.core.outputs import together


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that half-written outputs are cleaned up."""


def _raise_terminated(signum, frame):
    raise Terminated()


def stage_main(fn):
    """Decorate a stage's ``main``: a :class:`StageError` becomes ``error: …`` on stderr, exit 2.

    The stage's outputs appear together when it returns (:func:`latentspace.core.outputs.together`).
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


@dataclass(frozen=True)
class File:
    """A path a stage is handed on its command line, and what DVC makes of it: a dependency (``deps``), a cached
    output (``outs``), or a git-tracked metric or plot (``metrics``, ``plots``: ``cache: false``) with its plot
    ``options`` (template, x, title). ``${key}`` is the model, in a stage that runs once a model."""

    path: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()


def dep(path: str) -> File:
    return File(path, "deps")


def out(path: str) -> File:
    return File(path, "outs")


def metric(path: str) -> File:
    return File(path, "metrics")


def plot(path: str, **options: str) -> File:
    return File(path, "plots", tuple(options.items()))


@dataclass(frozen=True)
class Stage:
    """A stage of dvc.yaml: ``files`` ``{option: File}`` in command-line order, the ``params`` keys it reads
    (``None``: all of params.yaml), whether it runs once a model (``foreach``) and takes the model's name first
    (``named``), or once for each combination of its ``matrix`` ``((key, values), …)`` (DVC's ``matrix``:
    ``values`` a params reference such as ``${models}`` or a tuple of names; the stage is handed each key's value
    first, in order, and its paths name them as ``${item.<key>}``)."""

    files: dict
    params: tuple[str, ...] | None
    foreach: bool = False
    named: bool = False
    matrix: tuple[tuple[str, str | tuple[str, ...]], ...] = ()


def parse(stage: Stage, doc: str) -> argparse.Namespace:
    """A stage's command line as its declaration says: the model's ``name`` first where it takes one (or each
    matrix key's value), then each of its files' options (required). ``doc``'s first line is the ``--help`` text."""
    return arguments(doc, *(("name",) if stage.named else ()), *(key for key, _ in stage.matrix), *stage.files)


def arguments(doc: str, *names: str, lists: tuple[str, ...] = ()) -> argparse.Namespace:
    """Parse a stage's command line: ``name`` is positional, ``--name`` a required option (a path).

    Options in ``lists`` take one or more values. ``doc``'s first line is the ``--help`` text.
    """
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    for name in names:
        if name.startswith("--"):
            parser.add_argument(name, required=True, nargs="+" if name in lists else None)
        else:
            parser.add_argument(name, help="a model's section in params.yaml's models" if name in ("name", "model")
                                else f"a {name} of the stage's matrix")
    return parser.parse_args()
