"""IAM policy documents: parse and validate with precise errors, and evaluate requests as AWS does."""

from sojourn.policy.evaluation import (
    CompiledPolicySet,
    Decision,
    Discovery,
    EvaluationRequest,
    Outcome,
    PolicySet,
    PrincipalType,
    StatementRef,
    compile_policy_set,
    evaluate,
)
from sojourn.policy.model import Policy, PolicyIssue, PolicyKind, Severity, Statement
from sojourn.policy.parser import ParseResult, parse_policy, parse_policy_document

__all__ = [
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
    "parse_policy",
    "parse_policy_document",
]
