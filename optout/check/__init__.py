"""The engine: one flow on one page, the verdict table, results, events, one run.

It touches a page, never a file.
"""
