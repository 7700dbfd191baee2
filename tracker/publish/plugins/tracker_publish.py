"""Datasette loads this file from ``--plugins-dir``: the hooks live in ``tracker.publish.plugin``."""
from tracker.publish.plugin import (  # noqa: F401  (pluggy finds the hook implementations here)
    extra_template_vars,
    prepare_connection,
    register_output_renderer,
    register_routes,
    render_cell,
)
