"""The playbook as a website: the site bundle, the MkDocs plugin that maps it onto MkDocs' events, building
and serving, the page and search caches, and the Markdown export for engines that run no plugin."""
