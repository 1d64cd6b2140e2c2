"""who-can and findings with resource policies of a hand-made two-account snapshot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import who_can
from sojourn.analysis.resource_access import governing_arn
from sojourn.analysis.snapshot import AccountSnapshot, InlinePolicy, OrgSnapshot, ResourcePolicy, Role, User
from sojourn.analysis.snapshot_codec import snapshot_from_json, snapshot_to_json
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.catalog import ActionCatalog, load_catalog

A, B, OUTSIDE = "111111111111", "222222222222", "999988887777"
BUCKET = "arn:aws:s3:::shared-reports"
OBJECT = f"{BUCKET}/2026/q3.csv"
KEY = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_KEY = f"arn:aws:kms:us-east-1:{B}:key/5678abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{B}:orders"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def role(account: str, name: str, *statements: dict[str, Any]) -> Role:
    trust = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
    )
    inline = (InlinePolicy("inline", doc(*statements)),) if statements else ()
    return Role(role_arn(account, name), name, trust, inline=inline)


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def grant(principal: Any, action: str, resource: str, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


def organisation(bucket_policy: dict[str, Any], *extra: ResourcePolicy) -> OrgSnapshot:
    a = AccountSnapshot(
        A,
        "team-a",
        roles=(
            role(A, "reader", allow("s3:GetObject")),
            role(A, "twin", allow("s3:GetObject")),
            role(A, "compute", allow("ec2:DescribeInstances")),
            role(A, "decrypter", allow("kms:Decrypt")),
        ),
    )
    b = AccountSnapshot(
        B,
        "team-b",
        roles=(
            role(B, "local-named"),
            role(B, "local-unnamed"),
            role(B, "local-reader", allow("s3:GetObject")),
            role(B, "local-decrypter", allow("kms:Decrypt")),
        ),
        resource_policies=(ResourcePolicy(BUCKET, B, "s3", bucket_policy), *extra),
    )
    return OrgSnapshot((a, b), "o-abc123")


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def direct(snapshot: OrgSnapshot, catalog: ActionCatalog, action: str, resource: str) -> set[str]:
    builder = GraphBuilder(snapshot, catalog)
    graph = builder.build()
    return {p.start for p in who_can(builder, graph, action, resource) if not p.hops}


def test_a_bucket_policy_lets_another_accounts_role_in_only_with_its_own_identity_allow(
    catalog: ActionCatalog,
) -> None:
    policy = doc(grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/*"))
    allowed = direct(organisation(policy), catalog, "s3:GetObject", OBJECT)
    assert role_arn(A, "reader") in allowed
    assert role_arn(A, "compute") not in allowed
    # same account: the identity policy is enough, the account grant alone is not
    assert role_arn(B, "local-reader") in allowed
    assert role_arn(B, "local-unnamed") not in allowed


def test_a_deny_in_the_bucket_policy_wins_over_both_allows(catalog: ActionCatalog) -> None:
    policy = doc(
        grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/*"),
        grant({"AWS": role_arn(A, "reader")}, "s3:*", f"{BUCKET}/*", "Deny"),
    )
    allowed = direct(organisation(policy), catalog, "s3:GetObject", OBJECT)
    # twin has the very same policies as reader (one shape): only the named one is denied
    assert role_arn(A, "reader") not in allowed
    assert role_arn(A, "twin") in allowed


def test_a_same_account_role_named_by_the_resource_policy_needs_no_identity_policy(
    catalog: ActionCatalog,
) -> None:
    policy = doc(grant({"AWS": role_arn(B, "local-named")}, "s3:GetObject", f"{BUCKET}/*"))
    allowed = direct(organisation(policy), catalog, "s3:GetObject", OBJECT)
    assert role_arn(B, "local-named") in allowed
    assert role_arn(B, "local-unnamed") not in allowed
    # another account's role with an identity allow, but not named by the bucket policy
    assert role_arn(A, "reader") not in allowed


def test_an_object_of_another_bucket_keeps_the_old_answer(catalog: ActionCatalog) -> None:
    policy = doc(grant({"AWS": role_arn(B, "local-named")}, "s3:GetObject", f"{BUCKET}/*"))
    allowed = direct(organisation(policy), catalog, "s3:GetObject", "arn:aws:s3:::other-bucket/x")
    assert role_arn(A, "reader") in allowed and role_arn(B, "local-reader") in allowed
    assert role_arn(B, "local-named") not in allowed


def test_a_kms_key_policy_decides_even_in_its_own_account(catalog: ActionCatalog) -> None:
    enables_iam = ResourcePolicy(KEY, B, "kms", doc(grant({"AWS": f"arn:aws:iam::{B}:root"}, "kms:*", "*")))
    names_one = ResourcePolicy(
        ROLE_KEY, B, "kms", doc(grant({"AWS": role_arn(B, "local-named")}, "kms:Decrypt", "*"))
    )
    snapshot = organisation(doc(), enables_iam, names_one)
    assert direct(snapshot, catalog, "kms:Decrypt", KEY) == {role_arn(B, "local-decrypter")}
    # a key policy that names one role: an identity allow of the same account is not enough
    assert direct(snapshot, catalog, "kms:Decrypt", ROLE_KEY) == {role_arn(B, "local-named")}


def test_a_condition_on_the_organisation_is_settled_from_the_snapshot(catalog: ActionCatalog) -> None:
    def policy(org: str) -> dict[str, Any]:
        return doc(
            grant("*", "s3:GetObject", f"{BUCKET}/*", Condition={"StringEquals": {"aws:PrincipalOrgID": org}})
        )

    assert role_arn(A, "reader") in direct(organisation(policy("o-abc123")), catalog, "s3:GetObject", OBJECT)
    assert role_arn(A, "reader") not in direct(
        organisation(policy("o-other")), catalog, "s3:GetObject", OBJECT
    )


def test_a_deny_without_tls_does_not_deny_everyone(catalog: ActionCatalog) -> None:
    policy = doc(
        grant({"AWS": A}, "s3:GetObject", f"{BUCKET}/*"),
        grant("*", "s3:*", f"{BUCKET}/*", "Deny", Condition={"Bool": {"aws:SecureTransport": "false"}}),
    )
    assert role_arn(A, "reader") in direct(organisation(policy), catalog, "s3:GetObject", OBJECT)


def test_governing_arn() -> None:
    assert governing_arn(OBJECT) == BUCKET
    assert governing_arn(BUCKET) == BUCKET
    assert governing_arn("arn:aws:s3:::b/with:colon/key") == "arn:aws:s3:::b"
    function = f"arn:aws:lambda:us-east-1:{B}:function:nightly"
    assert governing_arn(f"{function}:live") == function
    assert governing_arn(function) is None
    assert governing_arn(QUEUE) is None
    assert governing_arn("not-an-arn") is None


def test_findings_run_every_check_on_each_resource_policy(catalog: ActionCatalog) -> None:
    public_key = ResourcePolicy(KEY, B, "kms", doc(grant("*", "kms:*", "*")))
    queue = ResourcePolicy(
        QUEUE, B, "sqs", doc(grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", QUEUE))
    )
    narrowed = ResourcePolicy(
        f"{QUEUE}-narrow",
        B,
        "sqs",
        doc(
            grant(
                {"Service": "sns.amazonaws.com"},
                "sqs:SendMessage",
                f"{QUEUE}-narrow",
                Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{B}:orders"}},
            )
        ),
    )
    topic_arn = f"arn:aws:sns:us-east-1:{B}:events"
    owner_only = {"StringEquals": {"AWS:SourceOwner": B}}
    default_topic = ResourcePolicy(
        topic_arn,
        B,
        "sns",
        {
            "Version": "2008-10-17",
            "Statement": [grant({"AWS": "*"}, "SNS:Publish", topic_arn, Condition=owner_only)],
        },
    )
    snapshot = organisation(
        doc(grant({"AWS": A}, "s3:GetObject", f"{BUCKET}/*")), public_key, queue, narrowed, default_topic
    )
    builder = GraphBuilder(snapshot, catalog)
    found = {(f.check.id, f.source) for f in snapshot_findings(builder, builder.build())}
    assert ("resource-policy-wildcard-principal", KEY) in found
    assert ("service-principal-without-source", QUEUE) in found
    assert not {f for f in found if f[1] in (BUCKET, f"{QUEUE}-narrow", topic_arn)}


def test_resource_policies_survive_the_codec_and_old_snapshots_load() -> None:
    snapshot = organisation(doc(grant({"AWS": A}, "s3:GetObject", f"{BUCKET}/*")))
    encoded = snapshot_to_json(snapshot)
    assert encoded["format"] == "sojourn-snapshot/2"
    assert snapshot_from_json(encoded) == snapshot
    old = snapshot_to_json(snapshot)
    old["format"] = "sojourn-snapshot/1"
    for account in old["accounts"]:
        del account["resource_policies"]
    loaded = snapshot_from_json(old)
    assert [a.resource_policies for a in loaded.accounts] == [(), ()]
    assert [a.roles for a in loaded.accounts] == [a.roles for a in snapshot.accounts]
    assert any("holds no resource policies" in note for note in loaded.notes)


ONLY_READER = {
    "Effect": "Deny",
    "Action": "s3:GetObject",
    "Resource": "*",
    "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}},
}


@pytest.mark.parametrize("where", ["rcp-of-the-owner", "scp-of-the-caller"])
def test_a_guardrail_that_names_one_role_never_decides_for_its_twin(
    catalog: ActionCatalog, where: str
) -> None:
    """reader and twin hold the same policies (one shape); only the guardrail tells them apart."""
    base = organisation(doc(grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/*")))
    a, b = base.accounts
    guardrail = ((doc(allow("*")), doc(ONLY_READER)),)
    accounts = (
        (a, replace(b, rcps=guardrail)) if where == "rcp-of-the-owner" else (replace(a, scps=guardrail), b)
    )
    allowed = direct(replace(base, accounts=accounts), catalog, "s3:GetObject", OBJECT)
    assert role_arn(A, "reader") in allowed and role_arn(A, "twin") not in allowed


@pytest.mark.parametrize("order", [("alice", "bob"), ("bob", "alice")])
def test_a_policy_variable_in_the_resource_policy_is_judged_per_principal(
    catalog: ActionCatalog, order: tuple[str, str]
) -> None:
    home = doc(grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*"))
    base = organisation(home)
    a, b = base.accounts
    users = tuple(
        User(f"arn:aws:iam::{A}:user/{name}", name, inline=(InlinePolicy("p", doc(allow("s3:GetObject"))),))
        for name in order
    )
    allowed = direct(
        replace(base, accounts=(replace(a, users=users), b)),
        catalog,
        "s3:GetObject",
        f"{BUCKET}/home/alice/notes.txt",
    )
    assert f"arn:aws:iam::{A}:user/alice" in allowed and f"arn:aws:iam::{A}:user/bob" not in allowed


def answers(
    snapshot: OrgSnapshot, catalog: ActionCatalog, action: str, resource: str
) -> dict[str, tuple[str, ...]]:
    builder = GraphBuilder(snapshot, catalog)
    return {p.start: p.conditions for p in who_can(builder, builder.build(), action, resource) if not p.hops}


def test_a_deny_that_a_request_can_avoid_lists_the_principal_with_what_it_takes(
    catalog: ActionCatalog,
) -> None:
    """The common "only through our VPC endpoint" bucket policy: who-can is an upper bound, not nobody."""
    policy = doc(
        grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/*"),
        grant(
            "*", "s3:*", f"{BUCKET}/*", "Deny", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}}
        ),
    )
    found = answers(organisation(policy), catalog, "s3:GetObject", OBJECT)
    assert role_arn(A, "reader") in found and role_arn(A, "compute") not in found
    (needs,) = found[role_arn(A, "reader")]
    assert "aws:SourceVpce" in needs and "vpce-1a2b" in needs and needs.startswith("not (")


def test_an_unconditional_deny_still_denies_in_the_upper_bound(catalog: ActionCatalog) -> None:
    policy = doc(
        grant({"AWS": f"arn:aws:iam::{A}:root"}, "s3:GetObject", f"{BUCKET}/*"),
        grant({"AWS": role_arn(A, "reader")}, "s3:GetObject", f"{BUCKET}/*", "Deny"),
    )
    found = answers(organisation(policy), catalog, "s3:GetObject", OBJECT)
    assert role_arn(A, "reader") not in found and role_arn(A, "twin") in found


def test_identity_conditions_travel_with_the_answer_without_a_resource_policy(catalog: ActionCatalog) -> None:
    """No recorded policy for this bucket: the identity side alone decides, its conditions are shown."""
    conditional = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    }
    base = organisation(doc(grant({"AWS": A}, "s3:GetObject", f"{BUCKET}/*")))
    a, b = base.accounts
    a = replace(a, roles=(*a.roles, role(A, "office-only", conditional)))
    found = answers(replace(base, accounts=(a, b)), catalog, "s3:GetObject", "arn:aws:s3:::elsewhere/x")
    assert found[role_arn(A, "reader")] == ()
    assert any("aws:SourceIp" in c for c in found[role_arn(A, "office-only")])
