"""Configuration: profiles in a TOML file, the environment and credentials.

Modules: ``schema`` (what a profile may hold), ``profiles`` (reading, choosing and
changing profiles) and ``tomlwrite`` (writing the file back).
"""
