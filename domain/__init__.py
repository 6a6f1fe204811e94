"""Pure business rules: merchant config, status table, mapping Starweb ⇄ Ongoing, stock math.

Nothing here does I/O or knows Prefect; every function can be tested with plain values.
"""
