"""The playbook itself: strict YAML loading, the typed model, overlays over the defaults, the rules, and a
project read from disk into a validated Playbook. Imports nothing above it (render, cards, exports, review,
site, newproject, cli)."""
