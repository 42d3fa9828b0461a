"""Small widgets and Qt helpers shared by the pad and the training screens."""
