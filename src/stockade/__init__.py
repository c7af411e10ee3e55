"""Stockade: can I trust this dependency, this repository, this artifact?"""

__version__ = "0.1.0"
