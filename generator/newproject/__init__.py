"""``rolebook init``: a new project folder that adapts the defaults, written whole or not at all."""
