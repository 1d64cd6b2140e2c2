"""IAM policy documents: parse and validate with precise errors, and evaluate requests as AWS does."""

from sojourn.policy.evaluation import (
    CompiledPolicySet,
    Decision,
    Discovery,
    Outcome,
    PolicySet,
    StatementRef,
    compile_policy_set,
    evaluate,
)
from sojourn.policy.model import Policy, PolicyIssue, PolicyKind, Severity, Statement
from sojourn.policy.parser import ParseResult, parse_policy, parse_policy_document
from sojourn.policy.quotas import QUOTAS, inline_quota_issues
from sojourn.policy.requester import EvaluationRequest, PrincipalType
from sojourn.policy.validate import ActionCatalogView, validate_policy

__all__ = [
    "QUOTAS",
    "ActionCatalogView",
    "CompiledPolicySet",
    "Decision",
    "Discovery",
    "EvaluationRequest",
    "Outcome",
    "ParseResult",
    "Policy",
    "PolicyIssue",
    "PolicyKind",
    "PolicySet",
    "PrincipalType",
    "Severity",
    "Statement",
    "StatementRef",
    "compile_policy_set",
    "evaluate",
    "inline_quota_issues",
    "parse_policy",
    "parse_policy_document",
    "validate_policy",
]
