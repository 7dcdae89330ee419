"""A CKAN IResourceController plugin that checks resource uploads before CKAN stores them.

Work in progress (issue 12)."""
