"""chidao: an open-data archive of Vietnam's provincial COVID-19 directives.

Stages (each reads only what the one before it wrote):
source text -> normalized text (textnorm) -> record (extract) -> data package -> pages -> site.
"""

__version__ = "0.1.0"
