"""Staff users, their roles and jurisdictions; sign-in and account administration."""
