"""Older import path kept for existing callers; see dispatcher.py and settings.py."""

from sojourn.notify.dispatcher import Channel, DeliveryResult, Dispatcher
from sojourn.notify.settings import channels_from_environment

__all__ = ["Channel", "DeliveryResult", "Dispatcher", "channels_from_environment"]
