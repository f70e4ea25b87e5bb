"""The prediction engine: which candidates have operated, kept up to date per report.

Each candidate `a` keeps the counts of evidence below it (callers, last gasps,
meters that say they have power) and three numbers of a dynamic programme over the
candidate tree:

- ``score(a)``: the log-likelihood ratio that `a` operated (`outage.scoring`) less
  its prior penalty;
- ``best(a) = max(0, score(a), Σ best(children))``: the best explanation of the
  evidence below `a`, either by `a` itself or by outages further down;
- ``logz(a) = log(e^score(a) + e^Σ logz(children))``: every explanation of it summed,
  each by its likelihood, which an outage's confidence is the share of.

The outages are the topmost candidates that explain their subtree by themselves.
Under the model's independence assumptions this is the exact maximum-likelihood
set of outages (with the prior), and a report changes only the candidates on
its customer's path to the source, so each update costs the depth of the tree.
A candidate reported open by SCADA or a crew is forced: it is an outage whatever
the reports say. Reported open by a crew, or inside a live outage above it (a crew
isolating the fault), its parent is weighed against what its reports say: the parent
may be open too. SCADA's report of a device with no outage above it outranks every
device above it (SCADA watches those too).

Built in layers, one concern a module, each on the one below it: `selection` (the
state and the dynamic programme), `evidence` (reports, opens, back-fed sections,
restored meters), `priors` (estimates and priors that re-price the scores),
`predictor` (`Predictor`: its confidence and alternatives).
"""

from outage.predict.evidence import RestoredMeters as RestoredMeters
from outage.predict.predictor import BELOW as BELOW
from outage.predict.predictor import NOTHING as NOTHING
from outage.predict.predictor import Predictor as Predictor
from outage.predict.selection import FORCED as FORCED
from outage.predict.selection import KNOWN_OPEN as KNOWN_OPEN
from outage.predict.selection import Change as Change

__all__ = ["BELOW", "FORCED", "KNOWN_OPEN", "NOTHING", "Change", "Predictor", "RestoredMeters"]
