"""The local receivers, for every notification test."""

from tests.notify.receivers import receiver, smtp_server, tls

__all__ = ["receiver", "smtp_server", "tls"]
