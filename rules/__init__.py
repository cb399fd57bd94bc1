"""The bundled LII rulebook. This file only lets the YAML files install as package data (lii_check.rules)."""
