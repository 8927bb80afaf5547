"""``python -m gravsim``: the ``gravsim`` command line."""

from gravsim.cli import main

if __name__ == "__main__":  # not when a worker process (spawn, MPI) imports the main module
    raise SystemExit(main())
