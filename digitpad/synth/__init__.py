"""Training data generated in code: strokes rendered like the canvas renders them.

``render`` (strokes -> image), ``strokes`` (geometry helpers), ``forms`` (digit
writing styles MNIST lacks), ``nondigits`` (scribbles, shapes, letters, partial
and overlapping digits: the not-a-digit class), ``glyphs`` (letter and symbol
strokes), ``mixture`` (the training and validation sets built from them).
numpy + Pillow only, except ``mixture`` (torch, for the uint8 tensors).
"""
