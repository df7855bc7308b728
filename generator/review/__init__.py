"""Reviewing a change: the diff in playbook terms, projects at git revisions, the pull-request report, and
the review cadence of each role."""
