"""Customers' contact details sealed at rest.

A phone number or e-mail address given on the status page (for updates) is stored, and
queued with each message, only as a Fernet token (AES-128-CBC with an HMAC-SHA256):
a copy of the database, a backup or a log of its rows does not give them away. The key
is `OMS_DATA_KEY` (a Fernet key) or, without one, derived from `OMS_SECRET_KEY` (HKDF):
a server without either makes a key per process, and what it sealed cannot be read
after a restart (`ContactKeyError` says so).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NEW_KEY = ("python -c 'from cryptography.fernet import Fernet; "
           "print(Fernet.generate_key().decode())'")


class ContactKeyError(ValueError):
    """A contact sealed under another key than this server's."""


class ContactCipher:
    """Seals and opens contact details with one key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_config(cls, data_key: str | None, secret_key: str) -> ContactCipher:
        """`data_key` when given (OMS_DATA_KEY), else a key derived from `secret_key`."""
        if data_key:
            try:
                return cls(data_key.encode())
            except ValueError:
                raise ValueError("OMS_DATA_KEY must be a Fernet key (32 url-safe base64 "
                                 f"bytes); make one with {NEW_KEY}") from None
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"oms customer contact details").derive(secret_key.encode())
        return cls(base64.urlsafe_b64encode(derived))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ContactKeyError("a contact sealed under another key than this server's: "
                                  "start it with the OMS_DATA_KEY (or OMS_SECRET_KEY) it "
                                  "had then") from None
