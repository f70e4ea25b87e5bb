"""The web layer: REST API, Socket.IO live updates, dispatcher / crew / customer pages.

Only this package imports Flask; it composes the domain packages (gis, outage,
dispatch) and never re-implements them.
"""

from web.app import create_app as create_app
from web.extensions import socketio as socketio
