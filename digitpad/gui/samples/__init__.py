"""Your handwriting: corrections, the personal sample store, My samples and personalising."""
