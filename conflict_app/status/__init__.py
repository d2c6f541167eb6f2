"""What herders see: the public start page, reporting a loss, checking status, and SMS."""
