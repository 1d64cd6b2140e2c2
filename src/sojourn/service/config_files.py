"""Read configuration from a YAML file or a directory of them (the one I/O step before parsing)."""

from __future__ import annotations

from pathlib import Path

from sojourn.access.issues import ConfigInvalid, ConfigIssue
from sojourn.access.yaml_source import MAX_CONFIG_CHARACTERS
from sojourn.service.input_files import InputFileError, read_text

MAX_CONFIG_BYTES = MAX_CONFIG_CHARACTERS
"""One configuration file, in bytes; larger files are refused before they are read."""
MAX_CONFIG_TOTAL_BYTES = 4 * MAX_CONFIG_BYTES
"""All the files of a configuration directory together."""


def read_config_sources(path: Path) -> dict[str, str]:
    """{file name: text} for the file, or for every *.yaml / *.yml below the directory, in name order.

    Raises ConfigInvalid naming every file that is too large or not UTF-8 (with its line), and OSError
    when the path cannot be read at all.
    """
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    else:
        raise FileNotFoundError(f"{path}: no such configuration file or directory; give it with --config")
    sources: dict[str, str] = {}
    issues: list[ConfigIssue] = []
    total = 0
    for file in files:
        try:
            sources[str(file)] = text = read_text(file, MAX_CONFIG_BYTES)
        except InputFileError as error:
            issues.append(ConfigIssue(str(file), error.line, error.column, "", error.message))
            continue
        total += len(text)
        if total > MAX_CONFIG_TOTAL_BYTES:
            message = (
                f"the configuration's files together hold more than {MAX_CONFIG_TOTAL_BYTES:,} characters, "
                "past what Sojourn reads; check that --config names the configuration directory"
            )
            raise ConfigInvalid((ConfigIssue(str(file), 1, 1, "", message),))
    if issues:
        raise ConfigInvalid(tuple(issues))
    return sources


def write_config_files(directory: Path, files: dict[str, str]) -> list[Path]:
    """Write generated configuration; refuse to overwrite an existing file so nothing is lost."""
    directory.mkdir(parents=True, exist_ok=True)
    targets = [directory / name for name in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise FileExistsError(f"refusing to overwrite {', '.join(existing)}; choose an empty --out directory")
    for target, text in zip(targets, files.values(), strict=True):
        target.write_text(text, encoding="utf-8")
    return targets
