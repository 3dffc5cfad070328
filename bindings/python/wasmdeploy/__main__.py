"""python -m wasmdeploy: the command line tool, as the `wasmdeploy` console script runs it."""
import sys

from ._cli import main

sys.exit(main())
