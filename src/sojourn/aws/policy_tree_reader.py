"""Read the SCPs or RCPs that apply to an account: one level per node from the root down to the account."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from sojourn.analysis.snapshot import Document
from sojourn.aws.authorization_reader import document
from sojourn.aws.calls import Caller, error_code


class PolicyTreeReader:
    """Remembers each node's parent and each policy's content, so a whole organisation costs few calls."""

    def __init__(self, call: Caller, organizations: Any) -> None:
        self.call, self.organizations = call, organizations
        self.parents: dict[str, str | None] = {}
        self.contents: dict[str, Document] = {}
        self.attached: dict[tuple[str, str], tuple[str, ...]] = {}

    def levels(self, account_id: str, policy_type: str) -> tuple[tuple[Document, ...], ...] | None:
        """Root first; None when the policy type is not enabled or not supported by the endpoint."""
        chain = [account_id]
        while (parent := self._parent(chain[-1])) is not None:
            chain.append(parent)
        try:
            levels = [self._policies(node, policy_type) for node in reversed(chain)]
        except ClientError as error:
            if error_code(error) in ("PolicyTypeNotEnabledException", "InvalidInputException"):
                return None
            raise
        if not any(levels):
            return ()
        return tuple(tuple(self._content(p) for p in level) for level in levels)

    def _parent(self, node: str) -> str | None:
        if node not in self.parents:
            if node.startswith("r-"):
                self.parents[node] = None
            else:
                parents = self.call(self.organizations, "list_parents", ChildId=node)["Parents"]
                self.parents[node] = parents[0]["Id"] if parents else None
        return self.parents[node]

    def _policies(self, node: str, policy_type: str) -> tuple[str, ...]:
        key = (node, policy_type)
        if key not in self.attached:
            found = self.call.pages(
                self.organizations, "list_policies_for_target", "Policies", TargetId=node, Filter=policy_type
            )
            self.attached[key] = tuple(p["Id"] for p in found)
        return self.attached[key]

    def _content(self, policy_id: str) -> Document:
        if policy_id not in self.contents:
            answer = self.call(self.organizations, "describe_policy", PolicyId=policy_id)
            self.contents[policy_id] = document(answer["Policy"]["Content"])
        return self.contents[policy_id]
