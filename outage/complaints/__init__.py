"""Customer complaints, the handbook's way: classified (service, quality, price, policy,
other) and routed to a department, taken up within an hour, resolved within five
working days, with the customer told at each end.

Modules: `classify` (the classes, their words, the departments), `working_days` (the
resolution clock), `book` (the register, a fold over the desk's actions), `summary`
(the register against its targets), `errors`.
"""

from outage.complaints.book import ACKNOWLEDGE_WITHIN as ACKNOWLEDGE_WITHIN
from outage.complaints.book import BREACHES as BREACHES
from outage.complaints.book import CHANNELS as CHANNELS
from outage.complaints.book import CONTACT_CHANNELS as CONTACT_CHANNELS
from outage.complaints.book import MISSED as MISSED
from outage.complaints.book import RESOLVE_WORKING_DAYS as RESOLVE_WORKING_DAYS
from outage.complaints.book import Complaint as Complaint
from outage.complaints.book import ComplaintAction as ComplaintAction
from outage.complaints.book import ComplaintBook as ComplaintBook
from outage.complaints.book import Status as Status
from outage.complaints.book import fold as fold
from outage.complaints.classify import CATEGORIES as CATEGORIES
from outage.complaints.classify import DEPARTMENTS as DEPARTMENTS
from outage.complaints.classify import Classification as Classification
from outage.complaints.classify import classify as classify
from outage.complaints.errors import ComplaintError as ComplaintError
from outage.complaints.errors import ComplaintNotFoundError as ComplaintNotFoundError
from outage.complaints.errors import ComplaintStateError as ComplaintStateError
from outage.complaints.summary import ComplaintSummary as ComplaintSummary
from outage.complaints.summary import summarise as summarise
from outage.complaints.working_days import WorkingDays as WorkingDays
from outage.complaints.working_days import parse_holidays as parse_holidays

__all__ = ["ACKNOWLEDGE_WITHIN", "BREACHES", "CATEGORIES", "CHANNELS", "CONTACT_CHANNELS",
           "DEPARTMENTS", "MISSED", "RESOLVE_WORKING_DAYS", "Classification", "Complaint",
           "ComplaintAction", "ComplaintBook", "ComplaintError", "ComplaintNotFoundError",
           "ComplaintStateError", "ComplaintSummary", "Status", "WorkingDays", "classify",
           "fold", "parse_holidays", "summarise"]
