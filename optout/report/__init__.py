"""The static HTML evidence report and its templates."""
