"""sanctionscope: find where customers and payments touch sanctioned parties."""

__version__ = "0.1.0"
