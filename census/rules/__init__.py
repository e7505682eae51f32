"""DfE-style checks of a census return, errors separate from queries (see base.py)."""

from census.rules.base import RULES, CensusProblem, Rule, check

__all__ = ["RULES", "CensusProblem", "Rule", "check"]
