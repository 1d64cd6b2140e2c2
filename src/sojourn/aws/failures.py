"""AWS errors as a person reads them: what went wrong and what to do, in one line each."""

from __future__ import annotations

import re

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from sojourn.aws.calls import NotSupportedByEndpoint
from sojourn.aws.gateway import NoIdentityCenter

EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
INVALID_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "AuthFailure",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
IAM_ACTION_IN_MESSAGE = re.compile(r"perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
XML_CODE = re.compile(r"<Code>([A-Za-z.]+)</Code>")
IAM_ACTION_NOTE = re.compile(r"^iam action: ([a-z0-9-]+:[A-Za-z0-9]+)$")
CREDENTIALS_HINT = (
    "give Sojourn credentials: AWS_PROFILE (after `aws sso login`), or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY; against a moto server any key will do"
)
ENDPOINT_HINT = (
    "check the network, or --endpoint-url / SOJOURN_AWS_ENDPOINT_URL "
    "(unset it to talk to AWS itself; `sojourn demo --keep` starts a local moto server)"
)
IAM_POLICY_DOC = "docs/iam-policy.md lists every action Sojourn needs"


def explain_aws_error(error: BaseException) -> tuple[str, str] | None:
    """(what went wrong, what to do) for an error of boto3 or of Sojourn's AWS adapter; None for others."""
    if isinstance(error, NoCredentialsError | PartialCredentialsError | ProfileNotFound):
        return f"no usable AWS credentials ({error})", CREDENTIALS_HINT
    if isinstance(error, SSOError | TokenRetrievalError | CredentialRetrievalError):
        return f"the AWS sign-in could not be refreshed ({error})", "sign in again, e.g. `aws sso login`"
    if isinstance(error, NoRegionError):
        return "no AWS region is set", "set AWS_DEFAULT_REGION or SOJOURN_AWS_REGION, e.g. us-east-1"
    if isinstance(error, ConnectionError | ConnectionClosedError | ReadTimeoutError):
        return f"AWS did not answer: {error}", ENDPOINT_HINT
    if isinstance(error, ClientError):
        return _client_error(error)
    if isinstance(error, NotSupportedByEndpoint):
        return (
            f"the AWS endpoint does not implement an operation Sojourn needs: {error}",
            "moto lacks some operations; run this command against AWS itself",
        )
    if isinstance(error, NoIdentityCenter):
        return (
            str(error),
            "enable IAM Identity Center in the management account (or its delegated administrator), "
            "and set `settings.region` or `settings.instance_arn` in the configuration",
        )
    return None


def iam_action_denied(error: ClientError) -> str | None:
    """The IAM action AWS refused: from AWS's message, else from the note the adapter's caller adds."""
    found = IAM_ACTION_IN_MESSAGE.search(str(error.response.get("Error", {}).get("Message", "")))
    if found:
        return found.group(1)
    for note in getattr(error, "__notes__", ()):
        noted = IAM_ACTION_NOTE.match(note)
        if noted:
            return noted.group(1)
    return None


def _client_error(error: ClientError) -> tuple[str, str]:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code.isdigit():  # an XML answer to a JSON-protocol client (moto does this): its code is inside
        inner = XML_CODE.search(str(error.response.get("Error", {}).get("Message", "")))
        code = inner.group(1) if inner else code
    operation = error.operation_name
    if code in EXPIRED_CODES:
        return (
            f"the AWS credentials have expired ({code} on {operation})",
            "refresh them, e.g. `aws sso login`, or export new temporary credentials",
        )
    if code in INVALID_CODES:
        return (
            f"AWS does not accept these credentials ({code} on {operation})",
            "check AWS_PROFILE or AWS_ACCESS_KEY_ID: the key may be deleted or mistyped",
        )
    if code in DENIED_CODES:
        action = iam_action_denied(error) or f"the action of {operation}"
        return (
            f"AWS denied {action} ({code} on {operation})",
            f"allow {action} to the role Sojourn runs as; {IAM_POLICY_DOC}",
        )
    message = error.response.get("Error", {}).get("Message", "")
    return f"AWS refused {operation}: {code}: {message}", "resolve what AWS names, then plan again"
