"""The pipeline's stages, in the order data flows through them:
decode -> normalize -> apply_rules -> layout -> write. Each knows nothing of files or terminals."""
