"""Measures on states: entanglement (E_N, ΔE without cancellation) and distinguishability
(Gaussian fidelity, relative entropy, sample counts).  Functions of covariance matrices and
density matrices; they import only :mod:`gravsim.errors` and the model's quadrature
conventions, so every backend and the closed forms can use them.
"""
