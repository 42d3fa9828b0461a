"""The drawing pad: canvas, live recognition worker and the result panel."""
