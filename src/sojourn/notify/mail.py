"""Older import path kept for existing callers; the SMTP channel lives in email.py."""

from sojourn.notify.email import SmtpMail

__all__ = ["SmtpMail"]
