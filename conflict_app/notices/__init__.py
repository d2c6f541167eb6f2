"""In-app notices for staff: new reports, flags and overdue items, with a digest."""
