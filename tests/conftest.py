"""Shared fixtures: the bundled seed articles, a seed index, and the optional ../shared data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bgsearch import Index, load_path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
OCTOBER = "000_86c0b70c7c47bfc2"  # Беларус отправя дипломатически сигнали... (2025-10-17)
DECEMBER = "002_963fcec7b18ad73a"  # Беларус е близо до сключването... (2025-12-19, БТА)


def tool_module(name: str) -> Any:
    """The module of tools/NAME.py (tools/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_file(relative: str) -> Path:
    """A file under ../shared/data, or skip the test when it is absent."""
    path = SHARED / "data" / relative
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """An index of the two seed articles, shared by read-only tests."""
    ix = Index.create(tmp_path_factory.mktemp("seeds") / "index")
    result = ix.add_documents(load_path(SEEDS))
    assert (result.added, result.rejected) == (2, [])
    yield ix
    ix.close()


@pytest.fixture
def empty_index(tmp_path: Path) -> Index:
    with Index.create(tmp_path / "index") as ix:
        yield ix
