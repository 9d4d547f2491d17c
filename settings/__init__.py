"""Settings from the environment and the operator's YAML configuration."""
