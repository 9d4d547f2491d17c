"""The blame detector's phrase list: `config/blameless.yaml` (phrase: why), else the built-in list."""

from pathlib import Path

import yaml

from incidents import blame


def blame_phrases(config_dir: Path) -> dict[str, str]:
    """`{phrase: why it blames}`; the operator's file replaces the built-in list when it exists."""
    path = Path(config_dir) / "blameless.yaml"
    if not path.exists():
        return dict(blame.PHRASES)
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path}: expected a mapping of phrase: why it blames")
    return data
