"""What the command line runs, as library functions: options, the one result model and the
files results write (:mod:`~gravsim.workflows.options`,
:mod:`~gravsim.workflows.result_model`, :mod:`~gravsim.workflows.run_folder`,
:mod:`~gravsim.workflows.loading`), and the workflows :mod:`~gravsim.workflows.steady`,
:mod:`~gravsim.workflows.evolve`, :mod:`~gravsim.workflows.scan`,
:mod:`~gravsim.workflows.validate`, :mod:`~gravsim.workflows.figures` and
:mod:`~gravsim.workflows.budget`.  The top layer below the CLI: it may import every backend.
"""
