"""Sổ Giải trình core: the register, the law's procedures and their deadlines. Never imports Qt."""

__version__ = "0.1.0"
