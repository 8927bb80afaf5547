"""The model: parameters, presets, gravity models and the rungs of the ladder as plain data.

:mod:`~gravsim.model.parameters` (one validated, immutable parameter set),
:mod:`~gravsim.model.presets`, :mod:`~gravsim.model.inputs` (numbers, durations and
``--set`` settings from text), :mod:`~gravsim.model.gravity` (quantum and KTM gravity as
terms added to a model), :mod:`~gravsim.model.description` (modes, Hamiltonian terms, jump
operators), :mod:`~gravsim.model.rungs` (L0–L3 and the conventional scheme) and
:mod:`~gravsim.model.quadratures` (the conventions every backend reports in).  The bottom
layer: it imports nothing else of gravsim but :mod:`gravsim.errors`.
"""
