"""The demo database the positions tests read: built once a session through the real `tracker demo`."""
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from tracker import store
from tracker.cli import cli

GOLD = Path(__file__).parent / "fixtures" / "positions"
_BUILT = {}


def demo_path(tmp_path_factory) -> Path:
    """The path of a demo database built (and positions derived) once for the whole test session; read it only."""
    if "path" not in _BUILT:
        folder = tmp_path_factory.mktemp("positions-demo")
        path = folder / "demo.db"
        result = CliRunner().invoke(cli, ["--db", str(path), "--quiet", "demo", "--no-serve"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        _BUILT["path"] = path
    return _BUILT["path"]


def demo_copy(tmp_path_factory, target: Path):
    """A private copy of the demo database (for tests that write), opened through the store."""
    source = sqlite3.connect(demo_path(tmp_path_factory))
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return store.open_db(str(target))


def read_demo(tmp_path_factory):
    return store.open_db(str(demo_path(tmp_path_factory)))


__all__ = ["GOLD", "demo_copy", "demo_path", "read_demo"]
