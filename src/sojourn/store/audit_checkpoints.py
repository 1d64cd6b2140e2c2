"""Signed audit checkpoints in a directory outside the database, with an Ed25519 key kept in a file.

One JSON file per checkpoint, named by its sequence number so the newest sorts last; each is written to
a temporary name and renamed, so a reader never sees half a file. Whoever can edit the database cannot
forge a checkpoint without the key; keep the key and the directory where the database's users cannot
write (docs/audit.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from sojourn.access.audit import Checkpoint, CheckpointInvalid

__all__ = ["CheckpointDirectory", "CheckpointInvalid", "create_signing_key", "key_id"]

PREFIX, SUFFIX = "checkpoint-", ".json"


def create_signing_key(path: Path) -> str:
    """Write a new Ed25519 private key to `path` (mode 0600; refuses to overwrite); its key id."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointInvalid(f"{path} exists already; it signs the existing checkpoints") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key_id(key.public_key())


def key_id(public: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def _load_key(path: Path, create: bool) -> Ed25519PrivateKey:
    if not path.exists():
        if not create:
            raise CheckpointInvalid(
                f"no audit signing key at {path}, but checkpoints signed with one exist: restore the key "
                "there (or point SOJOURN_AUDIT_KEY_FILE at it)"
            )
        with contextlib.suppress(CheckpointInvalid):  # another process created it first: use theirs
            create_signing_key(path)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise CheckpointInvalid(f"the audit signing key {path} cannot be read: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointInvalid(f"{path} is not an Ed25519 private key")
    return key


class CheckpointDirectory:
    """Checkpoints of one log in `directory`, signed with the key at `key_file`."""

    def __init__(self, directory: Path, key_file: Path) -> None:
        self.directory = directory
        self.key_file = key_file

    def write(self, checkpoint: Checkpoint) -> Path:
        """Sign and store `checkpoint` (the key is created, 0600, on first use); the file written."""
        key = _load_key(self.key_file, create=True)
        signature = base64.b64encode(key.sign(checkpoint.payload())).decode()
        document = json.loads(checkpoint.payload()) | {
            "key_id": key_id(key.public_key()),
            "signature": signature,
        }
        path = self.directory / f"{PREFIX}{checkpoint.seq:012d}{SUFFIX}"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n")
            temporary.replace(path)
        except OSError as error:
            raise CheckpointInvalid(
                f"the checkpoint cannot be written to {self.directory}: {error}"
            ) from None
        return path

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint, its signature checked; None before the first one is written."""
        if not self.directory.is_dir():
            return None
        names = sorted(p.name for p in self.directory.glob(f"{PREFIX}*{SUFFIX}"))
        if not names:
            return None
        return self._read(self.directory / names[-1])

    def _read(self, path: Path) -> Checkpoint:
        public = _load_key(self.key_file, create=False).public_key()
        try:
            document = json.loads(path.read_text())
            checkpoint = Checkpoint(
                log_id=str(document["log_id"]),
                seq=int(document["seq"]),
                hash=str(document["hash"]),
                count=int(document["count"]),
                at=datetime.fromisoformat(str(document["at"])),
            )
            signature = base64.b64decode(str(document["signature"]), validate=True)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CheckpointInvalid(f"the checkpoint {path} cannot be read: {error}") from None
        try:
            public.verify(signature, checkpoint.payload())
        except InvalidSignature:
            raise CheckpointInvalid(
                f"the checkpoint {path} is not signed by the key {self.key_file} "
                f"(key {key_id(public)}): it was forged or changed, or the key was replaced"
            ) from None
        return checkpoint
