"""The guideline knowledge medcite ships (Markdown + manifest.json), installed as package data.

Read it through :func:`rag.resources.knowledge_dir`, never through a path relative to the source tree,
so a non-editable install and the Docker image find it.
"""
