"""The network model: import, topology, spatial index.

Pure domain code: no web framework imports.
"""

from gis.builder import NetworkBuilder as NetworkBuilder
from gis.errors import NetworkError as NetworkError
from gis.errors import NetworkFormatError as NetworkFormatError
from gis.errors import UnknownElementError as UnknownElementError
from gis.model import PROTECTIVE_KINDS as PROTECTIVE_KINDS
from gis.model import BranchKind as BranchKind
from gis.model import DeviceKind as DeviceKind
from gis.model import Network as Network
from gis.topology import Problem as Problem
from gis.topology import Topology as Topology
