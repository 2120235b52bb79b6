"""ConvStudio's Qt user interface: thin views over the :mod:`engine`."""

__all__: list[str] = []
