"""pytest setup for the hdp Python package tests: the package under test
comes from PYTHONPATH (build/python, or an install prefix); the independent
numpy implementation of the semantics from utils/."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "utils"))
