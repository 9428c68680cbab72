"""Exceptions of the fracbnn package: every one carries a libfracbnn status."""
from . import _lib


class FbnnError(Exception):
    """A libfracbnn call failed, or its input was refused before the call.

    Attributes:
        status: the fbnn_status code (int; 0 is never used here)
        status_name: "FBNN_ERR_..." for that code
        message: the detailed message (the library's fbnn_error.message when it gave one)
    """

    def __init__(self, status, message=None):
        self.status = int(status)
        self.status_name = status_name(self.status)
        self.description = status_str(self.status)
        self.message = message or self.description
        super().__init__("%s (%s): %s" % (self.description, self.status_name, self.message))


class InputError(FbnnError, ValueError):
    """The images do not fit the model (dtype, shape, memory layout): status FBNN_ERR_INPUT,
    or FBNN_ERR_ARG for an invalid argument such as k or threads."""


def status_str(status):
    """The library's English description of a status (fbnn_status_str)."""
    return _lib.lib.fbnn_status_str(int(status)).decode()


def status_name(status):
    """"FBNN_OK" / "FBNN_ERR_..." for a status code ("status N" if unknown)."""
    n = _lib.STATUS_NAMES
    s = int(status)
    if s == 0:
        return "FBNN_OK"
    return "FBNN_ERR_" + n[s] if 0 < s < len(n) else "status %d" % s


def check(status, what):
    """Raise FbnnError unless status is FBNN_OK."""
    if status != 0:
        raise FbnnError(status, "%s: %s" % (what, status_str(status)))
