"""Which device a restoration the meters saw had ended.

Restored from meter messages alone (no crew or SCADA report names the device), an
outage's record holds what was predicted while it lasted. Its restoration says more.
A meter sends a power-restore message when its power comes back, so one from a
meter that said nothing during the outage (its last gasp lost, its customer silent)
was out too: the device was larger than predicted. And customers of the predicted
device heard from neither while it lasted nor when it ended were likely never out:
it was smaller.

`operated_device` weighs the devices on the way up from the predicted one and from
the lowest devices over those heard from: each device's prior, every customer heard
from outside it (a restore message from a meter that kept its power, a false call),
every customer below it heard from not at all, and every one below it whose meter
said it had power again with an earlier restoration while this outage went on.
"""

from __future__ import annotations

from collections.abc import Callable

from outage.candidates import NONE, CandidateTree

# A device must explain the restoration this much better (log-likelihood) than the
# prediction before the record moves: near-ties keep what the dispatcher saw.
MARGIN = 1.0


def operated_device(
    tree: CandidateTree,
    predicted: int,
    reporters: list[int],
    messages: list[int],
    counts: Callable[[int], tuple[int, int, int] | None],
    log_prior_odds: Callable[[int], float],
    *,
    silence: float,
    outside: float,
    on_while_out: float,
    best_prior: float,
) -> int:
    """The device the restoration most likely ended (`predicted` unless another beats
    it by MARGIN).

    `reporters` and `messages` are the nearest candidates of the customers heard
    from: those who reported the outage, and those whose restore messages came with
    its restoration. The devices weighed are those on the way up from `predicted` and
    from the lowest device over each group and over both, when it is over at least
    one reporter: the outage stays where someone said it was. `counts(a)` gives
    the customers below `a`, how many of them were heard from, and how many had power
    before the restoration (their meters said so with another one), or None where
    another outage is going on (the walk up stops there).
    `silence` is the log-chance that a customer of an operated device says nothing at
    all, `outside` that a customer with power is heard from, `on_while_out` that a
    meter below an open device says it has power, and `best_prior` the
    largest log prior odds any device has (no device further up can beat the best
    once its silent customers alone outweigh that).
    """
    everyone = reporters + messages
    heard = len(everyone)
    lowest = [tree.covering(group) for group in (reporters, messages, everyone) if group]
    starts = [predicted] + [a for a in lowest if a != NONE
                            and any(tree.contains(a, r) for r in reporters)]
    scores: dict[int, float] = {}
    for start in starts:
        a = start
        while a != NONE and a not in scores:
            count = counts(a)
            if count is None:
                break
            customers, heard_below, powered_below = count
            # What its own customers say against it: silence, and power.
            against = ((customers - heard_below - powered_below) * silence
                       + powered_below * on_while_out)
            scores[a] = log_prior_odds(a) + against + (heard - heard_below) * outside
            if best_prior + against < max(scores.values()) - MARGIN:
                break  # every device further up has more silent or powered customers still
            a = int(tree.parent[a])
    if predicted not in scores:  # another outage below it: leave it be
        return predicted
    best = max(scores, key=lambda a: (scores[a], a == predicted))
    return best if scores[best] > scores[predicted] + MARGIN else predicted
