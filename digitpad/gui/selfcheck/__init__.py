"""The self-check of a packaged build (--smoke); never imported by a normal start."""
