"""A seeded generator of realistic organisation trails, written as real gzip'd CloudTrail log files in the
bucket layout `AWSLogs/<org>/<account>/CloudTrail/<region>/yyyy/mm/dd/`, named as CloudTrail names them
(`<account>_CloudTrail_<region>_<time>_<id>.json.gz`).

What is in it: many accounts and regions; application roles used through assumed-role sessions (EC2
instances, Lambda functions, CI jobs); Identity Center sessions (`AWSReservedSSO_<set>_<hex>/<person>`); IAM
users; S3, DynamoDB and Lambda data events (`eventCategory: Data`, `resources`); refused calls
(`AccessDenied`) and other errors (`NoSuchKey`, throttling); AWS services calling on their own
(`AWSService` callers, `AwsServiceEvent`s); console sign-ins and `GetCallerIdentity`. Records carry the
fields CloudTrail writes (request ids, event ids, source IP, user agent, TLS details), about 1 KB each.

Speed: each kind of call is serialised once per caller and resource into a template; a file is a seeded
sequence of templates with the event time and ids filled in.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ORG = "o-bench7k2x9q"
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
PERMISSION_SETS = ("Developer", "ReadOnly", "Ops", "DataScience")
TIME_MARK, EVENT_MARK, REQUEST_MARK = "@@TIME@@", "@@EVENT@@", "@@REQUEST@@"

# (eventSource, eventName, readOnly, data event, request parameter template); {n} names a resource
APP_CALLS = (
    ("s3.amazonaws.com", "GetObject", True, True, {"bucketName": "orders-{n}", "key": "in/{k}.json"}),
    ("s3.amazonaws.com", "PutObject", False, True, {"bucketName": "orders-{n}", "key": "out/{k}.json"}),
    ("s3.amazonaws.com", "HeadObject", True, True, {"bucketName": "orders-{n}", "key": "in/{k}.json"}),
    ("s3.amazonaws.com", "ListObjectsV2", True, True, {"bucketName": "orders-{n}", "prefix": "in/"}),
    ("dynamodb.amazonaws.com", "Query", True, True, {"tableName": "orders-{n}"}),
    ("dynamodb.amazonaws.com", "PutItem", False, True, {"tableName": "orders-{n}"}),
    ("dynamodb.amazonaws.com", "GetItem", True, True, {"tableName": "orders-{n}"}),
    ("lambda.amazonaws.com", "Invoke", False, True, {"functionName": "worker-{n}"}),
    ("kms.amazonaws.com", "Decrypt", True, False, {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    ("secretsmanager.amazonaws.com", "GetSecretValue", True, False, {"secretId": "app/db-{n}"}),
    ("sqs.amazonaws.com", "SendMessage", False, False, {"queueUrl": "https://sqs/q-{n}"}),
    ("sts.amazonaws.com", "GetCallerIdentity", True, False, None),
    ("logs.amazonaws.com", "CreateLogStream", False, False, {"logGroupName": "/app/{n}"}),
    ("monitoring.amazonaws.com", "PutMetricData", False, False, {"namespace": "App"}),
)
PERSON_CALLS = (
    ("ec2.amazonaws.com", "DescribeInstances", True, False, None),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", True, False, None),
    ("s3.amazonaws.com", "ListBuckets", True, False, None),
    ("iam.amazonaws.com", "GetRole", True, False, {"roleName": "app-{n}"}),
    ("iam.amazonaws.com", "ListRoles", True, False, None),
    ("lambda.amazonaws.com", "GetFunction20150331v2", True, False, {"functionName": "worker-{n}"}),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", False, False, {"functionName": "worker-{n}"}),
    ("cloudformation.amazonaws.com", "DescribeStacks", True, False, {"stackName": "app-{n}"}),
    ("logs.amazonaws.com", "FilterLogEvents", True, False, {"logGroupName": "/app/{n}"}),
    ("ssm.amazonaws.com", "GetParameter", True, False, {"name": "/app/{n}/url"}),
    ("apigateway.amazonaws.com", "GetRestApis", True, False, None),
    ("iam.amazonaws.com", "CreateUser", False, False, {"userName": "temp-{n}"}),
    ("s3.amazonaws.com", "GetObject", True, True, {"bucketName": "orders-{n}", "key": "report.csv"}),
)
SERVICE_CALLS = (
    ("kms.amazonaws.com", "Decrypt", "s3.amazonaws.com"),
    ("sts.amazonaws.com", "AssumeRole", "lambda.amazonaws.com"),
    ("kms.amazonaws.com", "GenerateDataKey", "dynamodb.amazonaws.com"),
    ("logs.amazonaws.com", "PutLogEvents", "lambda.amazonaws.com"),
)


@dataclass(frozen=True, slots=True)
class TrailShape:
    accounts: int = 40
    regions: int = 4
    apps_per_account: int = 12
    people: int = 300
    records_per_file: int = 10_000
    days: int = 30


def _identity(rng: random.Random, account: str, kind: str, shape: TrailShape) -> dict[str, object]:
    if kind == "person":
        person = f"user{rng.randrange(shape.people)}@example.com"
        suffix = rng.choice(("0a1b2c3d4e5f6789", "f1e2d3c4b5a69788"))
        role = f"AWSReservedSSO_{rng.choice(PERMISSION_SETS)}_{suffix}"
        session = person
    elif kind == "user":
        name = f"ci-{rng.randrange(3)}"
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{rng.randrange(10**12):012d}",
            "arn": f"arn:aws:iam::{account}:user/{name}",
            "accountId": account,
            "accessKeyId": f"AKIA{rng.randrange(10**12):012d}",
            "userName": name,
        }
    else:
        app = rng.randrange(shape.apps_per_account)
        role = f"app-{app}"
        session = rng.choice(
            (f"i-0{app:04x}{rng.randrange(8):04x}ab", f"worker-{app}", f"ci-{rng.randrange(9)}")
        )
    path = "aws-reserved/sso.amazonaws.com/" if role.startswith("AWSReservedSSO_") else ""
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{zlib.crc32(role.encode()):012d}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": f"ASIA{rng.randrange(10**12):012d}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{zlib.crc32(role.encode()):012d}",
                "arn": f"arn:aws:iam::{account}:role/{path}{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": "2026-11-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def _template(rng: random.Random, account: str, region: str, shape: TrailShape) -> str:
    """One record with placeholders for the time and the ids."""
    roll = rng.random()
    record: dict[str, object] = {
        "eventVersion": "1.09",
        "eventTime": TIME_MARK,
        "awsRegion": region,
        "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": rng.choice(
            ("aws-sdk-java/2.20.1 Linux/5.10", "Boto3/1.34.0 Python/3.11", "aws-cli/2.15.0")
        ),
        "requestID": REQUEST_MARK,
        "eventID": EVENT_MARK,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "x",
        },
    }
    n, k = rng.randrange(6), rng.randrange(1000)
    if roll < 0.08:
        source, name, invoker = rng.choice(SERVICE_CALLS)
        record.update(
            userIdentity={"type": "AWSService", "invokedBy": invoker},
            eventSource=source,
            eventName=name,
            sourceIPAddress=invoker,
            readOnly=True,
            requestParameters={"keyId": f"arn:aws:kms:{region}:{account}:key/k-{n}"},
        )
        return json.dumps(record)
    if roll < 0.10:
        record.update(
            userIdentity={"accountId": account, "invokedBy": "AWS Internal"},
            eventSource="kms.amazonaws.com",
            eventName="RotateKey",
            eventType="AwsServiceEvent",
            readOnly=False,
        )
        return json.dumps(record)
    kind = "person" if roll < 0.30 else "user" if roll < 0.33 else "app"
    calls = PERSON_CALLS if kind == "person" else APP_CALLS
    source, name, read_only, data, params = rng.choice(calls)
    record.update(
        userIdentity=_identity(rng, account, kind, shape),
        eventSource=source,
        eventName=name,
        readOnly=read_only,
        requestParameters={p: str(v).format(n=n, k=k) for p, v in params.items()} if params else None,
        responseElements=None,
    )
    if data:
        record.update(managementEvent=False, eventCategory="Data")
        if source == "s3.amazonaws.com":
            bucket = f"orders-{n}"
            record["resources"] = [
                {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/in/{k}.json"},
                {"accountId": account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
            ]
        else:
            kind_name = "DynamoDB::Table" if source.startswith("dynamodb") else "Lambda::Function"
            arn = (
                f"arn:aws:dynamodb:{region}:{account}:table/orders-{n}"
                if source.startswith("dynamodb")
                else f"arn:aws:lambda:{region}:{account}:function:worker-{n}"
            )
            record["resources"] = [{"accountId": account, "type": f"AWS::{kind_name}", "ARN": arn}]
    error = rng.random()
    if name == "CreateUser" or error < 0.02:
        record.update(
            errorCode="AccessDenied", errorMessage="User is not authorized to perform this operation"
        )
    elif error < 0.03 and source == "s3.amazonaws.com":
        record.update(errorCode="NoSuchKey", errorMessage="The specified key does not exist.")
    elif error < 0.035:
        record.update(errorCode="ThrottlingException", errorMessage="Rate exceeded")
    return json.dumps(record)


def trail_files(shape: TrailShape, events: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """(key, gzip'd body) of every log file of a trail of `events` records, in a seeded order."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    accounts = [f"{200000000000 + 7919 * a:012d}" for a in range(shape.accounts)]
    pools: dict[tuple[str, str], list[str]] = {}
    made = 0
    index = 0
    while made < events:
        account = accounts[index % len(accounts)]
        region = REGIONS[(index // len(accounts)) % shape.regions]
        pool = pools.get((account, region))
        if pool is None:
            pool = pools[(account, region)] = [
                _template(rng, account, region, shape)
                .replace("%", "%%")
                .replace(f'"{TIME_MARK}"', '"%(t)s"')
                .replace(f'"{REQUEST_MARK}"', '"%(r)s"')
                .replace(f'"{EVENT_MARK}"', '"%(e)s"')
                for _ in range(400)
            ]
        count = min(shape.records_per_file, events - made)
        moment = start + timedelta(minutes=5 * ((index * 7919) % (shape.days * 288)))
        seconds = [(moment + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in range(300)]
        parts = []
        for i in range(count):
            hexed = f"{rng.getrandbits(128):032x}"
            event = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"
            parts.append(rng.choice(pool) % {"t": seconds[i * 300 // count], "r": hexed, "e": event})
        body = ('{"Records":[' + ",".join(parts) + "]}").encode()
        key = (
            f"AWSLogs/{ORG}/{account}/CloudTrail/{region}/{moment:%Y/%m/%d}/"
            f"{account}_CloudTrail_{region}_{moment:%Y%m%dT%H%M}Z_{index:08d}bench.json.gz"
        )
        yield key, gzip.compress(body, compresslevel=6)
        made += count
        index += 1


def write_trail(root: Path, shape: TrailShape, events: int, seed: int) -> tuple[int, int, int]:
    """Write the trail under `root`; (files, events, bytes gzip'd)."""
    files = size = 0
    for key, body in trail_files(shape, events, seed):
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        files += 1
        size += len(body)
    return files, events, size
