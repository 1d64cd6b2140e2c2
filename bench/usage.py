"""CloudTrail ingest at scale: a seeded realistic trail (bench/trail_generator.py) ingested from local
`.json.gz` files and from moto's S3 by `sojourn activity ingest`'s engine (DuckDB on one thread, SQLite
usage table), beside trailscraper (`select | generate`, offline on the same files) in the same run. Each
engine runs in a process of its own, measured by the kernel (os.wait4: wall time, CPU time, peak memory).

"events/s (one core)" is events per CPU-second of the ingest process (DuckDB on one thread, so at most one
core): what one dedicated core does; the wall-clock figure, which depends on the machine's load, is beside it.
Also the mapping coverage over every CloudTrail fixture and over the generated trail.

Run: .venv/bin/python bench/usage.py [--events 10000000] [--s3-events N] [--peer-events N] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.report import emit
from bench.trail_generator import TrailShape, write_trail

Row = dict[str, Any]
TRAILSCRAPER = next(
    (
        path
        for path in (
            ROOT / "bench" / ".peers" / name / "bin" / "trailscraper" for name in ("venv", "trailscraper")
        )
        if path.exists()
    ),
    ROOT / "bench" / ".peers" / "venv" / "bin" / "trailscraper",
)
"""Installed by bench/peers/setup.sh into the peers' venv."""
PEER = "trailscraper 0.10.0"
SAMPLES = ROOT.parent / "shared" / "data" / "cloudtrail-samples"
FIXTURES = ROOT / "tests" / "fixtures" / "cloudtrail"


def measured(command: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `command` in its own process: its stdout, wall seconds, CPU seconds, peak RSS (MB), exit code."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace")[-2000:],
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
            "code": process.returncode,
        }


def child_ingest(source: str, database: str, endpoint: str | None) -> None:
    """In the measured process: one ingest, its report as JSON on stdout."""
    from datetime import UTC, datetime

    from sojourn.activity.local_files import LocalTrail
    from sojourn.activity.rules_file import load_event_rules
    from sojourn.activity.s3_files import S3Trail
    from sojourn.catalog import load_catalog
    from sojourn.clock import FixedClock
    from sojourn.service.activity import ingest_activity
    from sojourn.store import open_store

    catalog, rules = load_catalog(), load_event_rules()
    if source.startswith("s3://"):
        import boto3

        bucket, _, prefix = source.removeprefix("s3://").partition("/")
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        trail: Any = S3Trail(client, bucket, prefix, rules, threads=1, catalog=catalog)
    else:
        trail = LocalTrail(Path(source), rules, threads=1, catalog=catalog)
    store = open_store(database)
    try:
        report = ingest_activity(
            trail, store.usage, catalog, rules, FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
        )
    finally:
        trail.close()
        store.close()
    print(
        json.dumps(
            {
                "events": report.events,
                "files": report.files_ingested,
                "already": report.files_already,
                "lines": report.lines,
                "used": report.used,
                "unmapped": sum(report.unmapped.values()),
                "rejected": len(report.rejected),
            }
        )
    )


def child_floor(source: str, what: str) -> None:
    """The least any ingest of these files must spend: only decompressing them (`gunzip`), or DuckDB's
    JSON reader on one thread taking a single field of every record (`reader`)."""
    paths = sorted(str(p) for p in Path(source).rglob("*.json.gz"))
    started = time.process_time()
    if what == "gunzip":
        size = 0
        for path in paths:
            with gzip.open(path, "rb") as stream:
                while chunk := stream.read(1 << 22):
                    size += len(chunk)
        print(json.dumps({"bytes": size, "cpu": time.process_time() - started}))
        return
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET threads = 1")
    started = time.process_time()
    listed = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    columns = "{'Records': 'STRUCT(eventSource VARCHAR)[]'}"
    read = (
        f"read_json({listed}, columns={columns}, format='newline_delimited', records=true, "
        "maximum_object_size=2147483648)"
    )
    found = connection.execute(f"SELECT count(r.eventSource) FROM (SELECT unnest(Records) AS r FROM {read})")
    print(json.dumps({"events": found.fetchone()[0], "cpu": time.process_time() - started}))  # type: ignore[index]


def floor(source: Path, what: str) -> dict[str, Any]:
    """The child's own CPU seconds for the work alone (no interpreter start or imports)."""
    run = measured([sys.executable, str(Path(__file__).resolve()), "--floor", str(source), what])
    if run["code"] != 0:
        raise RuntimeError(f"floor {what} failed: {run['stderr']}")
    return json.loads(run["stdout"])  # type: ignore[no-any-return]


def ingest(source: str, database: str, endpoint: str | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", source, database]
    run = measured([*command, endpoint] if endpoint else command)
    if run["code"] != 0:
        raise RuntimeError(f"ingest of {source} failed: {run['stderr']}")
    return {**run, **json.loads(run["stdout"])}


def trailscraper(directory: Path) -> dict[str, Any] | None:
    """trailscraper's documented offline pipeline on local files: select every record, generate a policy."""
    if not TRAILSCRAPER.exists():
        return None
    select = f"'{TRAILSCRAPER}' select --log-dir '{directory}' --from 2026-01-01 --to now"
    script = f"{select} | '{TRAILSCRAPER}' generate"
    run = measured(["bash", "-o", "pipefail", "-c", script])
    if run["code"] != 0:
        return {**run, "error": run["stderr"]}
    statements = json.loads(run["stdout"])["Statement"]
    return {**run, "actions": sum(len(s["Action"]) for s in statements)}


def subset(root: Path, target: Path, events: int, per_file: int) -> int:
    """Hard links to the first files of `root` holding about `events` records; the events they hold."""
    files = sorted(root.rglob("*.json.gz"))[: max(1, events // per_file)]
    for path in files:
        link = target / path.relative_to(root)
        link.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, link)
    return sum(len(json.loads(gzip.decompress(p.read_bytes()))["Records"]) for p in files)


def coverage_rows(trail: Path) -> list[Row]:
    """Share of distinct (eventSource, eventName) pairs mapped to a catalogue action, per corpus."""
    from sojourn.activity.rules_file import load_event_rules
    from sojourn.catalog import load_catalog
    from sojourn.usage.coverage import mapping_coverage
    from sojourn.usage.record import call_of

    catalog, rules = load_catalog(), load_event_rules()
    corpora = {
        "every fixture (shared samples + tests/fixtures/cloudtrail)": [
            *sorted(p for p in SAMPLES.rglob("*.json*") if p.name != "policy-to-guess.json"),
            *sorted(FIXTURES.glob("*.json")),
        ],
        "the generated trail (first 20 files)": sorted(trail.rglob("*.json.gz"))[:20],
    }
    rows = []
    for name, paths in corpora.items():
        calls = []
        for path in paths:
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            try:
                records = json.loads(raw)["Records"]
            except ValueError:
                continue
            calls += [call_of(r, rules) for r in records if r.get("eventSource") and r.get("eventName")]
        coverage = mapping_coverage(calls, catalog, rules)
        rows.append(
            row(
                f"mapping coverage, {name}: {coverage.mapped}/{coverage.pairs} (eventSource, eventName) pairs"
                f" map to a catalogue action, {coverage.permissionless} more need none"
                f" ({100 * coverage.share_understood:.0f}% understood)",
                round(100 * coverage.share_mapped, 1),
                None,
                "%",
                "reported",
                None,
                peer_name="",
            )
        )
    return rows


def row(
    metric: str, ours: float, peer: float | None, unit: str, target: str, meets: bool | None, **kw: str
) -> Row:
    return {
        "metric": metric,
        "ours": ours,
        "peer": peer,
        "peer_name": kw.get("peer_name", PEER),
        "unit": unit,
        "target": target,
        "meets_target": meets,
    }


def run(events: int, s3_events: int, peer_events: int, seed: int, work: Path) -> list[Row]:
    shape = TrailShape(records_per_file=min(10_000, max(500, events // 50)))
    trail = work / "trail"
    cached = work / f"generated-{events}-{seed}-{shape.records_per_file}"
    if not cached.exists():
        shutil.rmtree(trail, ignore_errors=True)
        write_trail(trail, shape, events, seed)
        cached.touch()
    for database in ("local.db", "peer.db", "s3.db"):
        (work / database).unlink(missing_ok=True)
    local = ingest(str(trail), f"sqlite:///{work / 'local.db'}")
    again = ingest(str(trail), f"sqlite:///{work / 'local.db'}")
    peer_dir = work / "peer"
    shutil.rmtree(peer_dir, ignore_errors=True)
    peer_count = subset(trail, peer_dir, peer_events, shape.records_per_file)
    ours_on_peer = ingest(str(peer_dir), f"sqlite:///{work / 'peer.db'}")
    peer = trailscraper(peer_dir)
    s3 = ingest_from_moto(trail, work, s3_events, shape.records_per_file)
    gunzip, reader = floor(trail, "gunzip"), floor(trail, "reader")

    per_cpu = local["events"] / local["cpu"]
    peer_rate = peer_count / peer["cpu"] if peer and "error" not in peer else None
    ours_rate_same = ours_on_peer["events"] / ours_on_peer["cpu"]
    load = os.getloadavg()
    rows = [
        row(
            f"ingest, {local['events']:,} events from local .json.gz, per CPU-second (one core)",
            round(per_cpu),
            None,
            "events/s",
            ">= 500,000",
            per_cpu >= 500_000,
        ),
        row(
            f"ingest, same run, wall clock (load average {load[0]:.1f})",
            round(local["events"] / local["wall"]),
            None,
            "events/s",
            "",
            None,
        ),
        row(
            f"ingest of the same {peer_count:,} events as the peer, per CPU-second",
            round(ours_rate_same),
            round(peer_rate) if peer_rate else None,
            "events/s",
            ">= 10x peer",
            ours_rate_same >= 10 * peer_rate if peer_rate else None,
        ),
        row(
            "speed-up over the peer on the same files (CPU time)",
            round(ours_rate_same / peer_rate, 1) if peer_rate else 0,
            None,
            "x",
            ">= 10",
            (ours_rate_same / peer_rate >= 10) if peer_rate else None,
        ),
        row(
            f"peak memory, ingest of {local['events']:,} events",
            round(local["rss_mb"]),
            round(peer["rss_mb"]) if peer else None,
            "MB",
            "< 2048 (peer: on its subset)",
            local["rss_mb"] < 2048,
        ),
        row(
            f"floor: gzip decompression alone of the same files ({gunzip['bytes'] / local['events']:,.0f} "
            "bytes a record), per CPU-second",
            round(local["events"] / gunzip["cpu"]),
            None,
            "events/s",
            "(recorded: no ingest can pass it)",
            None,
            peer_name="",
        ),
        row(
            "floor: DuckDB's JSON reader alone on the same files, one field of every record, one thread, "
            "per CPU-second",
            round(reader["events"] / reader["cpu"]),
            None,
            "events/s",
            "(recorded: the embedded engine's own ceiling)",
            None,
            peer_name="",
        ),
        row(
            f"ingest again, {again['already']:,} files already ingested (nothing to do)",
            round(again["wall"], 2),
            None,
            "s",
            "0 events",
            again["events"] == 0,
            peer_name="",
        ),
        row(
            f"ingest, {s3['events']:,} events from moto's S3, per CPU-second of the ingest process",
            round(s3["events"] / s3["cpu"]),
            None,
            "events/s",
            "",
            None,
            peer_name="trailscraper: no S3 log source besides the CloudTrail API",
        ),
        row(
            "ingest from moto's S3, wall clock (moto serves from another process)",
            round(s3["events"] / s3["wall"]),
            None,
            "events/s",
            "",
            None,
            peer_name="",
        ),
        *coverage_rows(trail),
    ]
    return rows


def ingest_from_moto(trail: Path, work: Path, events: int, per_file: int) -> dict[str, Any]:
    import boto3

    from sojourn.demo.server import EmbeddedMoto

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "testing")  # moto's, never real ones
    with EmbeddedMoto(separate_process=True) as moto:
        s3 = boto3.client("s3", endpoint_url=moto.endpoint_url, region_name="us-east-1")
        s3.create_bucket(Bucket="org-trail")
        for path in sorted(trail.rglob("*.json.gz"))[: max(1, events // per_file)]:
            s3.put_object(Bucket="org-trail", Key=path.relative_to(trail).as_posix(), Body=path.read_bytes())
        return ingest("s3://org-trail/AWSLogs/", f"sqlite:///{work / 's3.db'}", moto.endpoint_url)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_ingest(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--floor":
        child_floor(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--s3-events", type=int, default=1_000_000)
    parser.add_argument("--peer-events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", type=Path, default=None, help="keep the generated trail here between runs")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.events, args.s3_events, args.peer_events = 20_000, 5_000, 5_000
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        rows = run(args.events, args.s3_events, args.peer_events, args.seed, args.work)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run(args.events, args.s3_events, args.peer_events, args.seed, Path(tmp))
    emit("CloudTrail ingest (bench/usage.py)", rows, as_json=args.json)


if __name__ == "__main__":
    main()
