"""The one error type stages and tools report: a problem with the user's input, said in one line
(standard library only; the wrapper that turns it into an exit is latentspace/core/stage.py's)."""


class StageError(Exception):
    """A problem with the user's input (params, data files, network) that a stage cannot fix.

    The message is one line that names the key or the file.
    """
