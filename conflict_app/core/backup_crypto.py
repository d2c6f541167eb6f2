"""Encryption of backups: AES-256-GCM in 1 MiB chunks, so a backup of any size is written
and read with bounded memory.

A backup holds every herder's name and phone, password hashes and the authenticator keys:
it is encrypted with ``BACKUP_KEY`` (or the file ``BACKUP_KEY_FILE``), which is kept with
the server's other secrets and never beside the backups. Each file gets a random salt, from
which HKDF derives the file's own key; chunk ``n`` is sealed with a nonce of a random prefix,
``n`` and a last-chunk flag, and authenticates the header. Changing, reordering, swapping or
cutting off any chunk, or a wrong key, makes reading fail: nothing half-read is restored.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

MAGIC = b"PARDUS-BACKUP\x00\x01"  # name and format version
CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")


class KeyProblem(Exception):
    """The backup key is missing or unusable (one line for the operator)."""


class DecryptionFailed(Exception):
    pass


def configured_key() -> bytes:
    """BACKUP_KEY, else the contents of BACKUP_KEY_FILE: at least 32 characters."""
    key = current_app.config.get("BACKUP_KEY")
    if not key and current_app.config.get("BACKUP_KEY_FILE"):
        try:
            key = Path(current_app.config["BACKUP_KEY_FILE"]).read_text().strip()
        except OSError as exc:
            raise KeyProblem(f"BACKUP_KEY_FILE {current_app.config['BACKUP_KEY_FILE']} "
                             "cannot be read") from exc
    if not key:
        raise KeyProblem("BACKUP_KEY (or BACKUP_KEY_FILE) must be set: backups are encrypted "
                         "with it. Make one with: python3 -c 'import secrets; "
                         "print(secrets.token_hex(32))' and keep it apart from the backups")
    if len(key) < 32:
        raise KeyProblem("BACKUP_KEY must be at least 32 characters (e.g. 64 hex digits)")
    return key.encode()


def _file_key(secret: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                   info=b"pardus-backup-file").derive(secret)
    return AESGCM(derived)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class EncryptingWriter:
    """A write-only stream (no tell or seek, so ``zipfile`` writes in streaming mode) that
    seals what it is given into ``raw``, chunk by chunk."""

    def __init__(self, raw: BinaryIO, secret: bytes) -> None:
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = MAGIC + salt + prefix
        self._aead, self._prefix = _file_key(secret, salt), prefix
        self._raw, self._buffer, self._index = raw, bytearray(), 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # always keep something for the last chunk
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._raw.flush()

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), plain,
                                    self._header)
        self._raw.write(_LENGTH.pack(len(sealed)) + sealed)
        self._index += 1


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def decrypt(source: BinaryIO, out: BinaryIO, secret: bytes) -> None:
    """Write the plain content of the sealed stream ``source`` to ``out``; raise
    DecryptionFailed on a wrong key or any change, including a cut-off end."""
    header = source.read(len(MAGIC) + 16 + 7)
    if len(header) != len(MAGIC) + 23 or not header.startswith(MAGIC):
        raise DecryptionFailed("not a Pardus backup")
    salt, prefix = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
    aead = _file_key(secret, salt)
    index = 0
    while True:
        size = source.read(_LENGTH.size)
        if len(size) != _LENGTH.size:
            raise DecryptionFailed("the backup ends too early")
        (length,) = _LENGTH.unpack(size)
        if length > CHUNK + 16:
            raise DecryptionFailed("the backup is damaged")
        sealed = source.read(length)
        if len(sealed) != length:
            raise DecryptionFailed("the backup ends too early")
        try:
            plain = aead.decrypt(_nonce(prefix, index, False), sealed, header)
            last = False
        except InvalidTag:
            try:
                plain = aead.decrypt(_nonce(prefix, index, True), sealed, header)
                last = True
            except InvalidTag as exc:
                raise DecryptionFailed("wrong BACKUP_KEY, or the backup was changed") from exc
        out.write(plain)
        index += 1
        if last:
            if source.read(1):
                raise DecryptionFailed("the backup was changed (data after its end)")
            return
