"""pyautograd benchmark suite: ``python benchmarks/run.py [--quick] [--threads 1,2] [--json F]``.

See ``--help`` and ``benchmarks/README.md``. Run it as a script: its directory (on ``sys.path``
as the script's own) holds the ``benchlib`` package.
"""

import sys

from benchlib.cli import main

if __name__ == "__main__":
    sys.exit(main())
