"""The classic mistakes as variants of a scenario, for comparing side by side.

    update_order = "layerwise"   update each layer as soon as its gradients are known
    mode = "stochastic"          one update per sample instead of one per batch
    update_biases = false        biases never trained

`variant(scenario, "update_order=layerwise")` is the same scenario with one option changed.
"""

from __future__ import annotations

from dataclasses import replace

from .quantities import BATCH
from .scenario import Mode, Scenario, UpdateOrder

OPTIONS = {
    "update_order": {"after_backward": UpdateOrder.AFTER_BACKWARD, "layerwise": UpdateOrder.LAYERWISE},
    "mode": {"batch": Mode.BATCH, "stochastic": Mode.STOCHASTIC},
    "update_biases": {"true": True, "false": False},
}

DESCRIPTIONS = {
    "update_order=layerwise": "layerwise updates (earlier layers backpropagate through updated weights)",
    "update_order=after_backward": "updates after the whole backward pass (correct)",
    "mode=stochastic": "one update per sample",
    "mode=batch": "one update per batch",
    "update_biases=false": "biases never trained",
    "update_biases=true": "biases trained",
}


def variant(scenario: Scenario, option: str) -> Scenario:
    """The scenario with one option changed; ValueError names what is allowed."""
    name, _, value = option.partition("=")
    name, value = name.strip(), value.strip().lower()
    if name not in OPTIONS:
        raise ValueError(f"unknown option {name!r}: choose from {', '.join(OPTIONS)}")
    if value not in OPTIONS[name]:
        raise ValueError(f"{name} can be {' or '.join(OPTIONS[name])}, not {value!r}")
    title = f"{scenario.title} [{name} = {value}]"
    return replace(scenario, **{name: OPTIONS[name][value]}, title=title, path=None)


SHORT = {
    "update_order=layerwise": "layerwise", "update_order=after_backward": "after backward",
    "mode=stochastic": "stochastic", "mode=batch": "batch",
    "update_biases=false": "fixed biases", "update_biases=true": "trained biases",
}


def describe(option: str, short: bool = False) -> str:
    """What a variant option ("mode=stochastic") changes, in words (a word or two when `short`)."""
    key = option.replace(" ", "").lower()
    return (SHORT if short else DESCRIPTIONS).get(key, option)


def corresponding(trace, other, index: int) -> int:
    """The event of `other` (a variant of `trace`) that computes what event `index` computes, in
    the same iteration and for the same sample; failing that, the event at the same place."""
    iteration, offset = trace.locate(index)
    key, sample = trace.plan.key_at(offset), trace.plan.sample_at(offset)
    occurrence = sum(1 for o in trace.offsets(key, sample) if o < offset)
    found = other.offsets(key, sample) or other.offsets(key, BATCH)
    iteration = min(iteration, other.iterations)
    if found:
        return other.index_of(iteration, found[min(occurrence, len(found) - 1)])
    return other.index_of(iteration, min(offset, other.per_iteration - 1))
