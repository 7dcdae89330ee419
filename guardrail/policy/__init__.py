"""The policy: loading YAML with positions, the schema, the typed model, field
classification and path patterns. Private to guardrail."""
