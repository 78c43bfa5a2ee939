"""The authoring format: flow models, YAML loading with line numbers, fragments, patterns.

Imports nothing else of optout.
"""
