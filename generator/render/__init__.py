"""The one renderer: a validated Playbook to ``{path: text}``: the Jinja sandbox, pages, safe text, the role
map and the cards' HTML. Imports only core/ and the base modules."""
