"""Vendor I/O: typed clients for Starweb and Ongoing, the shared HTTP policy, and the simulators.

Nothing here knows about Prefect, the ledger or the merchant's business rules.
"""
