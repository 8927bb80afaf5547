"""Test configuration: tests marked ``slow`` (README lines as written, minutes each) are left
out by default; ``python -m pytest -m slow`` runs them."""
