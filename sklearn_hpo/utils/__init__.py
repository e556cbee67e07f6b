"""Internal utilities: random generators, validation and the scikit-learn compat
layer (the only module allowed to import private scikit-learn names)."""
