"""``python -m gravsim``: the ``gravsim`` command line."""

from gravsim.cli import main

raise SystemExit(main())
