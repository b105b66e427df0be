"""The loss of every iteration, as the loss curve asks for it: what stepping has computed so far,
and the whole run computed apart from the trace being stepped (a worker thread does that)."""

from __future__ import annotations

import numpy as np

from backprop_stepper.core import Trace, parse_scenario

from ..conftest import generated


def test_losses_so_far_computes_nothing_more():
    trace = Trace(parse_scenario(generated((2, 3, 1), seed=2, iterations=50), name="s.toml"))
    assert len(trace.losses_so_far()) == 0
    trace[trace.index_of(7, 0)]
    so_far = trace.losses_so_far()
    assert len(so_far) == 7 and np.all(np.isfinite(so_far))
    assert trace.training.computed_through == 7


def test_loss_chunks_grow_to_the_whole_run_without_touching_the_trace():
    trace = Trace(parse_scenario(generated((2, 3, 1), seed=2, iterations=50), name="s.toml"))
    chunks = list(trace.loss_chunks(16))
    assert [len(c) for c in chunks] == [16, 32, 48, 50]
    assert trace.training.computed_through == 0  # nothing computed in the stepped trace's training
    np.testing.assert_array_equal(chunks[-1], trace.losses())
    np.testing.assert_array_equal(chunks[0], chunks[-1][:16])
