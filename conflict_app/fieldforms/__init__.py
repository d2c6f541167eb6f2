"""Field forms for ODK Collect and KoboToolbox, and the import of their submissions."""
