"""Open311 GeoReport v2 for photo reports (docs/open311.md): other city systems and apps read and file them."""
