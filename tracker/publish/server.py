"""Running Datasette on the tracker database, bound to the loopback interface."""
from pathlib import Path

HERE = Path(__file__).parent


def datasette_args(db_path, *, host="127.0.0.1", port=8001):
    """The ``datasette serve`` arguments for the tracker database."""
    args = [str(db_path), "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "3000"]
    metadata = HERE / "metadata.json"
    if metadata.exists():
        args += ["--metadata", str(metadata)]
    templates = HERE / "templates"
    if templates.is_dir():
        args += ["--template-dir", str(templates)]
    return args


def serve(db_path, *, host="127.0.0.1", port=8001):
    """Serve ``db_path`` with Datasette until interrupted."""
    from datasette.cli import cli as datasette_cli

    datasette_cli.main(["serve", *datasette_args(db_path, host=host, port=port)], standalone_mode=False)
