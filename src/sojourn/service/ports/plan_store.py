"""What plan and apply need of the store: the apply runs (and the state last applied) and the live grants."""

from __future__ import annotations

from typing import Protocol

from sojourn.service.ports.grants import GrantRepository
from sojourn.service.ports.runs import RunRepository


class PlanStore(Protocol):
    """The store's repositories that `sojourn plan` and `sojourn apply` read and write."""

    @property
    def runs(self) -> RunRepository:
        """Apply runs, each change with its audit record; the state the last successful run applied."""
        ...

    @property
    def grants(self) -> GrantRepository:
        """Just-in-time grants: a plan keeps the approved and active ones."""
        ...
