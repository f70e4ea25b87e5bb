"""Reliability indices (IEEE 1366-2012), Major Event Days and the ASAI target budget.

Feed :class:`Interruption` records (one per customer or group of customers restored
together) to :func:`compute_indices`, :func:`compute_indices_by`, the MED functions, or
a :class:`ReliabilityTracker` updated live as interruptions start and end.
"""

from outage.reliability.errors import FormatError as FormatError
from outage.reliability.errors import HistoryError as HistoryError
from outage.reliability.errors import OutsidePeriodError as OutsidePeriodError
from outage.reliability.errors import OverlapError as OverlapError
from outage.reliability.errors import RecordError as RecordError
from outage.reliability.errors import ReliabilityError as ReliabilityError
from outage.reliability.errors import UnknownFeederError as UnknownFeederError
from outage.reliability.indices import IndexParams as IndexParams
from outage.reliability.indices import Indices as Indices
from outage.reliability.indices import compute_indices as compute_indices
from outage.reliability.indices import compute_indices_by as compute_indices_by
from outage.reliability.indices import select as select
from outage.reliability.med import MedThreshold as MedThreshold
from outage.reliability.med import daily_saidi as daily_saidi
from outage.reliability.med import major_event_days as major_event_days
from outage.reliability.med import med_threshold as med_threshold
from outage.reliability.med import read_daily_saidi as read_daily_saidi
from outage.reliability.records import MOMENTARY_LIMIT as MOMENTARY_LIMIT
from outage.reliability.records import Interruption as Interruption
from outage.reliability.records import OutageTable as OutageTable
from outage.reliability.records import Period as Period
from outage.reliability.records import parse_period as parse_period
from outage.reliability.records import read_outages as read_outages
from outage.reliability.report import Report as Report
from outage.reliability.report import ReportParams as ReportParams
from outage.reliability.report import build_report as build_report
from outage.reliability.target import BudgetStatus as BudgetStatus
from outage.reliability.target import ReliabilityTracker as ReliabilityTracker
from outage.reliability.target import TargetParams as TargetParams
from outage.reliability.target import TrackerStatus as TrackerStatus
from outage.reliability.target import budget_minutes as budget_minutes
from outage.reliability.territory import Feeder as Feeder
from outage.reliability.territory import Territory as Territory
from outage.reliability.territory import read_feeders as read_feeders
from outage.reliability.validate import validate_interruptions as validate_interruptions
