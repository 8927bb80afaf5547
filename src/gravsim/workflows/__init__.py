"""What the command line runs, as library functions: options, results and the files they
write (:mod:`~gravsim.workflows.options`, :mod:`~gravsim.workflows.results`,
:mod:`~gravsim.workflows.run_folder`), and the workflows :mod:`~gravsim.workflows.steady`,
:mod:`~gravsim.workflows.evolve`, :mod:`~gravsim.workflows.scan`,
:mod:`~gravsim.workflows.validate`, :mod:`~gravsim.workflows.figures` and
:mod:`~gravsim.workflows.budget`.  The top layer below the CLI: it may import every backend.
"""
