"""Read configuration from a YAML file or a directory of them (the one I/O step before parsing)."""

from __future__ import annotations

from pathlib import Path


def read_config_sources(path: Path) -> dict[str, str]:
    """{file name: text} for the file, or for every *.yaml / *.yml below the directory, in name order."""
    if path.is_file():
        return {str(path): path.read_text(encoding="utf-8")}
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such configuration file or directory; give it with --config")
    files = sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    return {str(p): p.read_text(encoding="utf-8") for p in files}


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
