"""The `wasmdeploy` console script of the wheel: runs the command line tool the wheel bundles.

The wheel ships the same C++ executable `cmake --install` puts in bin/ (as wasmdeploy/_bin/
wasmdeploy), so `wasmdeploy --version` and `wasmdeploy render ...` print the same bytes whichever
way it was installed; this only hands over the arguments (exec, so exit status, signals and
stdin/stdout are the tool's own).
"""
import os
import sys


def executable():
    """The bundled command line tool's path."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "wasmdeploy")


def main():
    exe = executable()
    if not os.access(exe, os.X_OK):
        sys.stderr.write("error: [python.no-cli] this wasmdeploy package was built without its command line tool "
                         f"({exe} is missing); install it with `pip install .` or `cmake --install`\n")
        return 1
    os.execv(exe, ["wasmdeploy"] + sys.argv[1:])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
