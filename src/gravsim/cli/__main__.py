"""``python -m gravsim.cli``: the console script."""

from gravsim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
