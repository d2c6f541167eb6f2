"""Payment batches of approved claims, payment files, confirmations and failures."""
