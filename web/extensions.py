"""Flask extensions created once at module level and bound in the app factory."""

from __future__ import annotations

from flask_socketio import SocketIO

# Bound with init_app(app, ...) in create_app; a message_queue (Redis) there scales out.
socketio = SocketIO()
