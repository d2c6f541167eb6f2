"""The public statistics page, its CSV files and feeds."""
