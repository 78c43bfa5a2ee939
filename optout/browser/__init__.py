"""Finding and launching a browser, `--map-origin` routing, saved sessions."""
