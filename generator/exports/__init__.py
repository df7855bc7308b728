"""Exports of the validated playbook (CSV, XLSX, JSON) and the JSON Schemas of the files."""
