"""Encryption at rest for secrets we must be able to read back (access-key SKs).

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`. Keys come from FIELD_ENCRYPTION_KEYS
(newest first, so a key can be rotated by prepending a new one); without it, one key is derived
from SECRET_KEY, which is fine for the embedded set-up and documented for production.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

__all__ = ["encrypt", "decrypt"]


def _box() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        derived = hashlib.sha256(b"partnercenter.secretbox:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _box().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _box().decrypt(token.encode()).decode()
