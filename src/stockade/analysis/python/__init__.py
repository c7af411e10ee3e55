"""The Python analyser: finds malicious Python code with :mod:`ast`, never running it."""

from stockade.analysis.python.analyzer import PythonAnalyzer
from stockade.analysis.python.rules import RULES

__all__ = ["RULES", "PythonAnalyzer"]
