"""ConvStudio's Qt user interface: thin views over the :mod:`engine`."""

#: Marks this package as ConvStudio's: ``gui`` is a common name (see gui/conflicts.py).
__distribution__ = "convstudio"
__all__ = ["__distribution__"]
