"""The data bundle (INTERCHANGE.md): CSV files in, validated all-or-nothing; CSV files out."""
