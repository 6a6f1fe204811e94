"""Ongoing WMS, Goods Owner REST API v1 (model v57): the client, its models and the simulator.

``OngoingClient`` talks to one goods owner of one warehouse; ``integrations.ongoing.models`` holds
the request and response models; ``integrations.ongoing.simulator`` serves a local stand-in.
"""

from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.ongoing.write_turns import goods_owner_write_lock

__all__ = ["OngoingClient", "OngoingSettings", "goods_owner_write_lock"]
