"""rolebook: incident-management roles as YAML, rendered into a playbook site, RACI and quick cards."""

__version__ = "0.1.0"
