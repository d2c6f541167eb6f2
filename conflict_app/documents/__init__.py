"""PDF documents (ReportLab): receipts, decision letters, payment vouchers, batch lists."""
